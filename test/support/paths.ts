// Where the repository and the test fixtures are, from a test's source or its compiled copy in dist/.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url)).replace(`${path.sep}dist${path.sep}`, path.sep);

export const REPO_ROOT = path.resolve(here, '..', '..');
export const FIXTURES = path.join(REPO_ROOT, 'test', 'fixtures');
