// Typed errors of package loading, so callers (the HTTP layer, the CLI) can tell the causes apart.

export type PackageErrorCode =
  | 'invalid_id' // a model id that is not a plain folder name
  | 'outside_models' // a path that resolves outside the models folder (traversal, symlink)
  | 'not_found' // no such package, or a file the manifest lists is missing
  | 'invalid_manifest' // unreadable JSON or a schema violation
  | 'unlisted_file' // a graph file without an entry in `files`
  | 'size_mismatch'
  | 'checksum_mismatch';

export class PackageError extends Error {
  override readonly name = 'PackageError';

  constructor(
    readonly code: PackageErrorCode,
    message: string,
  ) {
    super(message);
  }
}
