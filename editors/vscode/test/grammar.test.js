// Tokenises every examples/*/mesh.fm with the real TextMate engine VS Code uses
// (vscode-textmate + vscode-oniguruma) and checks the scopes keywords, strings, numbers,
// quantities and comments get.
'use strict';

const test = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const path = require('node:path');
const oniguruma = require('vscode-oniguruma');
const textmate = require('vscode-textmate');

const root = path.join(__dirname, '..', '..', '..');
const grammarPath = path.join(__dirname, '..', 'syntaxes', 'fm.tmLanguage.json');

let grammarPromise;
function grammar() {
  if (!grammarPromise) {
    const wasm = fs.readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
    const onigLib = oniguruma.loadWASM(wasm.buffer).then(() => ({
      createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s) => new oniguruma.OnigString(s),
    }));
    const registry = new textmate.Registry({
      onigLib,
      loadGrammar: async (scopeName) =>
        scopeName === 'source.fm'
          ? textmate.parseRawGrammar(fs.readFileSync(grammarPath, 'utf8'), grammarPath)
          : null,
    });
    grammarPromise = registry.loadGrammar('source.fm');
  }
  return grammarPromise;
}

/** Every token of `text`: its text, line, and innermost scope list. */
async function tokenize(text) {
  const g = await grammar();
  let state = textmate.INITIAL;
  const out = [];
  text.split('\n').forEach((line, n) => {
    const result = g.tokenizeLine(line, state);
    for (const t of result.tokens) {
      out.push({ text: line.slice(t.startIndex, t.endIndex), line: n + 1, scopes: t.scopes });
    }
    state = result.ruleStack;
  });
  return out;
}

const has = (token, scope) => token.scopes.some((s) => s === scope || s.startsWith(scope + '.'));

const STATEMENT_KEYWORDS = new Set([
  'namespace', 'tenant', 'pulsar-namespace', 'labels', 'annotations', 'default-cluster', 'broker',
  'admin', 'name', 'auth', 'tls', 'state', 'use', 'image', 'image-pull-policy', 'package', 'file',
  'in', 'out', 'log-topic', 'dead-letter', 'subscription', 'subscription-type', 'position',
  'guarantee', 'auto-ack', 'max-retries', 'timeout', 'cleanup-subscription', 'replicas',
  'autoscale', 'resources', 'requests', 'limits', 'volume', 'node-selector', 'toleration',
  'service-account', 'termination-grace', 'config', 'log-level', 'java-opts', 'security', 'spec',
]);
const DECLARATIONS = new Set(['mesh', 'cluster', 'topic', 'external', 'feedback', 'defaults', 'function', 'source', 'sink', 'env']);

const examples = fs
  .readdirSync(path.join(root, 'examples'))
  .map((d) => path.join(root, 'examples', d, 'mesh.fm'))
  .filter((f) => fs.existsSync(f));

test('there are examples to tokenise', () => {
  assert.ok(examples.length >= 3, `found ${examples.length}`);
});

for (const file of examples) {
  test(`tokenises ${path.relative(root, file)}`, async () => {
    const text = fs.readFileSync(file, 'utf8');
    const tokens = await tokenize(text);
    const where = (t) => `${path.basename(path.dirname(file))}:${t.line} ${JSON.stringify(t.text)} ${t.scopes.join(' ')}`;
    const counts = { keyword: 0, string: 0, number: 0, quantity: 0, comment: 0 };
    for (const t of tokens) {
      const word = t.text.trim();
      assert.ok(!t.scopes.some((s) => s.startsWith('invalid')), `invalid token ${where(t)}`);
      if (word === '') continue;
      const inComment = has(t, 'comment');
      const inString = has(t, 'string');
      if (word.startsWith('//') || (word.startsWith('#') && !inString)) {
        assert.ok(inComment, `comment ${where(t)}`);
        counts.comment++;
      }
      if (inComment || inString) {
        if (inString && word.startsWith('"')) counts.string++;
        continue;
      }
      if (STATEMENT_KEYWORDS.has(word)) {
        assert.ok(has(t, 'keyword.other') || has(t, 'storage.type') || has(t, 'variable.other.property'), `keyword ${where(t)}`);
        counts.keyword++;
      }
      if (DECLARATIONS.has(word)) {
        assert.ok(has(t, 'storage.type') || has(t, 'storage.modifier'), `declaration ${where(t)}`);
        counts.keyword++;
      }
      if (/^-?\d+(\.\d+)?$/.test(word)) {
        assert.ok(has(t, 'constant.numeric'), `number ${where(t)}`);
        counts.number++;
      }
      if (/^-?\d+(\.\d+)?(m|Mi|Gi|Ki|Ti|M|G|K|T|s|ms|h)$/.test(word)) {
        assert.ok(has(t, 'constant.numeric.quantity'), `quantity ${where(t)}`);
        counts.quantity++;
      }
      if (/^\d+%$/.test(word)) assert.ok(has(t, 'constant.numeric.percent'), `percent ${where(t)}`);
      if (/^\d+\.\.\d+$/.test(word)) assert.ok(has(t, 'constant.numeric.range'), `range ${where(t)}`);
      if (word === 'true' || word === 'false') assert.ok(has(t, 'constant.language'), `boolean ${where(t)}`);
    }
    // Each example has all of these; a grammar that matched none of them would pass the
    // checks above vacuously.
    for (const [what, n] of Object.entries(counts)) {
      assert.ok(n > 0, `no ${what} found in ${file}`);
    }
    // Every string literal of the file is one string token run.
    const literals = text.match(/"(?:[^"\\\n]|\\.)*"/g) || [];
    assert.ok(counts.string >= literals.length - (text.match(/\/\/.*"/g) || []).length, `strings: ${counts.string} of ${literals.length}`);
  });
}

test('a snippet gets exactly the expected scopes', async () => {
  const text = [
    'mesh demo { /* a /* nested */ comment */',
    '  topic raw-events: json "com.example.E" on edge # hash comment',
    '  function enrich = java "com.example.Enrich" {',
    '    in raw-events',
    '    replicas 1..8',
    '    resources cpu 500m memory 1Gi',
    '    autoscale cpu 80%',
    '    timeout 30s',
    '    max-retries 3',
    '    auto-ack true',
    '    config { batchSize: 10, path: r#"C:\\x"# }',
    '    env { PASS: secret "s" key "k" }',
    '  }',
    '}',
  ].join('\n');
  const tokens = await tokenize(text);
  const scopeOf = (text, line) => {
    const t = tokens.find((t) => t.text === text && (line === undefined || t.line === line));
    assert.ok(t, `no token ${JSON.stringify(text)}`);
    return t.scopes[t.scopes.length - 1];
  };
  assert.strictEqual(scopeOf('mesh'), 'storage.type.fm');
  assert.strictEqual(scopeOf('demo'), 'entity.name.type.fm');
  assert.strictEqual(scopeOf('topic'), 'storage.type.fm');
  assert.strictEqual(scopeOf('raw-events', 2), 'entity.name.type.fm');
  assert.strictEqual(scopeOf('json'), 'support.type.fm');
  assert.strictEqual(scopeOf('on'), 'keyword.other.fm');
  assert.strictEqual(scopeOf('# hash comment'), 'comment.line.number-sign.fm');
  assert.strictEqual(scopeOf('function'), 'storage.type.fm');
  assert.strictEqual(scopeOf('enrich'), 'entity.name.function.fm');
  assert.strictEqual(scopeOf('java'), 'support.type.fm');
  assert.strictEqual(scopeOf('in'), 'keyword.other.fm');
  assert.strictEqual(scopeOf('1..8'), 'constant.numeric.range.fm');
  assert.strictEqual(scopeOf('500m'), 'constant.numeric.quantity.fm');
  assert.strictEqual(scopeOf('1Gi'), 'constant.numeric.quantity.fm');
  assert.strictEqual(scopeOf('80%'), 'constant.numeric.percent.fm');
  assert.strictEqual(scopeOf('30s'), 'constant.numeric.quantity.fm');
  assert.strictEqual(scopeOf('3'), 'constant.numeric.fm');
  assert.strictEqual(scopeOf('max-retries'), 'keyword.other.fm');
  assert.strictEqual(scopeOf('true'), 'constant.language.fm');
  assert.strictEqual(scopeOf('batchSize'), 'variable.other.property.fm');
  assert.strictEqual(scopeOf('10'), 'constant.numeric.fm');
  assert.strictEqual(scopeOf('PASS'), 'variable.other.property.fm');
  assert.strictEqual(scopeOf('secret'), 'keyword.other.fm');
  const raw = tokens.filter((t) => t.line === 11 && has(t, 'string.quoted.raw'));
  assert.strictEqual(raw.map((t) => t.text).join(''), 'r#"C:\\x"#');
  const nested = tokens.filter((t) => t.line === 1 && has(t, 'comment.block'));
  assert.strictEqual(nested.map((t) => t.text).join(''), '/* a /* nested */ comment */');
  const escaped = (await tokenize('image "a\\"b"')).filter((t) => has(t, 'constant.character.escape'));
  assert.deepStrictEqual(escaped.map((t) => t.text), ['\\"']);
});
