// The terminal view: one line per VM with a spinner, its current step and elapsed time, then
// a summary. A function of its props; index.ts feeds it the model folded from engine events.
import { Box, Text } from 'ink';
import Spinner from 'ink-spinner';
import { OPS } from '../../../planner/model/ops.js';
import { formatMs, type ProgressModel, type VmLine } from './model.js';

const MARK: Record<Exclude<VmLine['status'], 'running'>, { text: string; color: string }> = {
  waiting: { text: '·', color: 'gray' },
  done: { text: '✔', color: 'green' },
  failed: { text: '✘', color: 'red' },
  refused: { text: '⊘', color: 'yellow' },
  skipped: { text: '-', color: 'gray' },
};

// Wide enough for every step's "doing" phrase and "12 of 34 steps done"; longer text is cut, never
// run into the next column.
const WHAT_WIDTH = Math.max(24, ...Object.values(OPS).map((o) => o.doing.length));

function VmRow({ vm, now, width, planned }: { vm: VmLine; now: number; width: number; planned: number }) {
  const elapsed = vm.status === 'running' ? now - vm.since : vm.firstStarted !== null && vm.lastEnded !== null ? vm.lastEnded - vm.firstStarted : 0;
  const what =
    vm.status === 'running'
      ? `${OPS[vm.op!].doing}`
      : vm.status === 'done'
        ? 'done'
        : vm.status === 'waiting'
          ? vm.stepsDone > 0 ? `${vm.stepsDone} of ${planned} steps done` : 'waiting'
          : `${vm.status}${vm.op ? ` (${vm.op.replace(/_/g, ' ')})` : ''}`;
  return (
    <Box>
      <Box width={2}>
        {vm.status === 'running' ? <Text color="cyan"><Spinner type="dots" /></Text> : <Text color={MARK[vm.status].color}>{MARK[vm.status].text}</Text>}
      </Box>
      <Box width={width + 2} flexShrink={0}>
        <Text bold wrap="truncate-end">{vm.address}</Text>
      </Box>
      <Box width={WHAT_WIDTH + 2} flexShrink={0}>
        <Text wrap="truncate-end">{what}</Text>
      </Box>
      <Box width={9} flexShrink={0}>
        <Text dimColor>{vm.status === 'waiting' ? '' : formatMs(elapsed)}</Text>
      </Box>
      {vm.note ? <Text color={vm.status === 'failed' ? 'red' : vm.status === 'refused' ? 'yellow' : undefined} wrap="truncate-end">{vm.note}</Text> : null}
    </Box>
  );
}

export function ProgressView({ model, now }: { model: ProgressModel; now: number }) {
  const width = Math.max(0, ...model.vms.map((v) => v.address.length));
  return (
    <Box flexDirection="column">
      {model.hosts.filter((h) => h.state !== 'done').map((h) => (
        <Box key={`host-${h.host}`}>
          <Box width={2}>{h.state === 'reading' ? <Text color="cyan"><Spinner type="dots" /></Text> : <Text color="red">✘</Text>}</Box>
          <Text>{h.state === 'reading' ? `${h.host}: reading the host` : (h.error ?? `${h.host}: failed`)}</Text>
        </Box>
      ))}
      {model.vms.map((vm) => (
        <VmRow key={vm.address} vm={vm} now={now} width={width} planned={model.planned[vm.address] ?? vm.stepsDone} />
      ))}
      {model.messages.map((m, i) => (
        <Text key={`msg-${i}`} color="yellow">{m}</Text>
      ))}
    </Box>
  );
}
