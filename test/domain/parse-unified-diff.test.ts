import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseUnifiedDiff, unquoteGitPath } from '../../src/domain/parse-unified-diff.ts';

// As `git diff --no-color --no-ext-diff -M` prints them.
const DIFF = `diff --git a/src/add.js b/src/add.js
index 1111111..2222222 100644
--- a/src/add.js
+++ b/src/add.js
@@ -1,3 +1,3 @@
 export function add(a, b) {
-  return a - b;
+  return a + b;
 }
diff --git a/test/new.test.js b/test/new.test.js
new file mode 100644
index 0000000..3333333
--- /dev/null
+++ b/test/new.test.js
@@ -0,0 +1,2 @@
+import { add } from '../src/add.js';
+-- a/looks-like-a-header
diff --git a/test/old.test.js b/test/old.test.js
deleted file mode 100644
index 4444444..0000000
--- a/test/old.test.js
+++ /dev/null
@@ -1 +0,0 @@
--- a/not-a-header
diff --git a/lib/a.js b/lib/b.js
similarity index 90%
rename from lib/a.js
rename to lib/b.js
index 5555555..6666666 100644
--- a/lib/a.js
+++ b/lib/b.js
@@ -10,2 +10,2 @@ function x() {
-old
+new
 same
diff --git a/img/logo.png b/img/logo.png
index 7777777..8888888 100644
Binary files a/img/logo.png and b/img/logo.png differ
diff --git a/docs/my file.md b/docs/my file.md
old mode 100644
new mode 100755
diff --git "a/docs/caf\\303\\251.md" "b/docs/caf\\303\\251.md"
new file mode 100644
index 0000000..e69de29
diff --git a/pure/move.js b/pure/moved.js
similarity index 100%
rename from pure/move.js
rename to pure/moved.js
diff --git a/x.txt b/x.txt
index 1..2 100644
--- a/x.txt
+++ b/x.txt
@@ -1 +1 @@
-a
\\ No newline at end of file
+b
\\ No newline at end of file
`;

test('parses every kind of file git diff prints', () => {
  const { files } = parseUnifiedDiff(DIFF);
  const summary = files.map((f) => [f.status, f.oldPath, f.path, f.binary, f.added.length, f.removed.length]);
  assert.deepEqual(summary, [
    ['modified', 'src/add.js', 'src/add.js', false, 1, 1],
    ['added', 'test/new.test.js', 'test/new.test.js', false, 2, 0],
    ['deleted', 'test/old.test.js', 'test/old.test.js', false, 0, 1],
    ['renamed', 'lib/a.js', 'lib/b.js', false, 1, 1],
    ['modified', 'img/logo.png', 'img/logo.png', true, 0, 0],
    ['modified', 'docs/my file.md', 'docs/my file.md', false, 0, 0],
    ['added', 'docs/café.md', 'docs/café.md', false, 0, 0],
    ['renamed', 'pure/move.js', 'pure/moved.js', false, 0, 0],
    ['modified', 'x.txt', 'x.txt', false, 1, 1],
  ]);
});

test('keeps line text and numbers, and reads header-like content as content', () => {
  const { files } = parseUnifiedDiff(DIFF);
  assert.deepEqual(files[0]!.removed, [{ text: '  return a - b;', lineNumber: 2 }]);
  assert.deepEqual(files[0]!.added, [{ text: '  return a + b;', lineNumber: 2 }]);
  assert.deepEqual(files[1]!.added[1], { text: '-- a/looks-like-a-header', lineNumber: 2 });
  assert.deepEqual(files[2]!.removed, [{ text: '-- a/not-a-header', lineNumber: 1 }]);
  assert.deepEqual(files[3]!.added, [{ text: 'new', lineNumber: 10 }]);
});

test('an empty diff has no files', () => {
  assert.deepEqual(parseUnifiedDiff(''), { files: [] });
});

test('unquotes C-style paths', () => {
  assert.equal(unquoteGitPath('"a/tab\\there \\"q\\" caf\\303\\251"'), 'a/tab\there "q" café');
  assert.equal(unquoteGitPath('plain/path'), 'plain/path');
});
