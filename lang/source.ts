// How lang and its callers read configuration files: through a SourceReader that the
// caller hands in, so that nothing under lang/ or planner/ touches the disk itself.
// Paths are absolute, or relative to the working directory; symbolic links are followed.

// Why a file or directory could not be read: nothing there, a directory where a file was
// expected, or anything else (permissions, I/O), which `message` describes.
export type ReadFailure = { failure: 'missing' | 'directory' | 'unreadable'; message: string };

// A regular file (with its length in bytes when the reader knows it, so that a huge one is
// refused unread), something else (a directory, a device), or nothing that can be looked at.
export type PathKind = 'file' | { file: true; size: number } | 'other' | 'missing';

export interface SourceReader {
  readFile(path: string): { bytes: Uint8Array } | ReadFailure;
  // The names of a directory's entries, in no particular order.
  readDir(path: string): { names: string[] } | ReadFailure;
  kind(path: string): PathKind;
  // The user's home directory, which `~` in a path stands for.
  homeDir(): string;
}

const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });

// A configuration file's text: invalid UTF-8 sequences become U+FFFD, and a byte order
// mark is kept as a character.
export const decodeText = (bytes: Uint8Array): string => utf8.decode(bytes);
