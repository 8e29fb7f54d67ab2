/**
 * Preloaded into the apps the budget benchmark spawns (NODE_OPTIONS=--require): counts the SQL
 * statements the process sends through `pg` (by normalised text) and the transactions it commits
 * (explicit COMMITs plus statements run outside a transaction, each its own transaction). Writes a
 * JSON snapshot to SQL_COUNT_FILE on SIGUSR2 (with an increasing `seq`) and on exit.
 */
const { writeFileSync } = require('node:fs');

const file = process.env.SQL_COUNT_FILE;
if (file) {
  // The app's own copy of pg (resolved from its working directory, the workspace root).
  const { Client } = require(require.resolve('pg', { paths: [process.cwd()] }));
  const counts = new Map();
  const totals = { statements: 0, commits: 0, implicitCommits: 0, rollbacks: 0 };
  let seq = 0;

  // A multi-row VALUES list counts as its first row, whatever the number of rows.
  const foldRows = (text) => {
    const at = text.search(/\bVALUES\s*\(/i);
    if (at < 0) return text;
    const start = text.indexOf('(', at);
    let p = start;
    let end = start;
    let rows = 0;
    let first = '';
    while (text[p] === '(') {
      let depth = 0;
      let q = p;
      for (; q < text.length; q++) {
        if (text[q] === '(') depth++;
        else if (text[q] === ')' && --depth === 0) break;
      }
      if (rows++ === 0) first = text.slice(p, q + 1);
      end = q + 1;
      const comma = /^\s*,\s*/.exec(text.slice(end));
      if (!comma) break;
      p = end + comma[0].length;
    }
    return rows < 2 ? text : `${text.slice(0, start)}${first}, …${text.slice(end)}`;
  };

  // Placeholders, placeholder lists and multi-row VALUES are folded, so one statement shape counts
  // once whatever its number of rows; literals stay (they are part of the shape).
  const normalise = (text) =>
    foldRows(
      text
        .replace(/\s+/g, ' ')
        .replace(/\$\d+/g, '$n')
        .replace(/\$n(?:\s*,\s*\$n)+/g, '$n, …')
        .trim(),
    );

  const original = Client.prototype.query;
  Client.prototype.query = function countedQuery(config, ...rest) {
    const text = typeof config === 'string' ? config : config && typeof config.text === 'string' ? config.text : undefined;
    if (text !== undefined) {
      const key = normalise(text);
      counts.set(key, (counts.get(key) ?? 0) + 1);
      totals.statements++;
      const head = key.slice(0, 20).toUpperCase();
      if (head.startsWith('BEGIN') || head.startsWith('START TRANSACTION')) this.__benchInTx = true;
      else if (head.startsWith('COMMIT')) {
        this.__benchInTx = false;
        totals.commits++;
      } else if (head.startsWith('ROLLBACK') && !head.startsWith('ROLLBACK TO')) {
        this.__benchInTx = false;
        totals.rollbacks++;
      } else if (!this.__benchInTx) totals.implicitCommits++;
    }
    return original.call(this, config, ...rest);
  };

  const write = () => {
    seq++;
    const statements = Object.fromEntries([...counts.entries()].sort((a, b) => b[1] - a[1]));
    writeFileSync(file, JSON.stringify({ pid: process.pid, seq, ...totals, statements }));
  };
  process.on('SIGUSR2', write);
  process.on('exit', write);
}
