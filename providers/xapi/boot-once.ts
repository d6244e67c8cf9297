// A start with a one-shot boot order (planner/plan/boot-once.ts): XAPI reads
// HVM-boot-params:order at each VM.start and has no one-shot of its own (xen-api e2ee48d688
// ocaml/xapi/xapi_xenops.ml `MD.of_vm` boot_order), so the order is set, the VM started, and
// the permanent order restored right after the start, whether or not the start succeeded.
export async function startOnce<T>(
  setOrder: (order: string) => Promise<unknown>,
  start: () => Promise<T>,
  once: { order: string; restore: string },
): Promise<T> {
  await setOrder(once.order);
  try {
    return await start();
  } finally {
    await setOrder(once.restore);
  }
}
