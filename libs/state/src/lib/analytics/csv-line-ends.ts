import { Transform, type TransformCallback } from 'node:stream';

const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;

/**
 * Turns the LF line ends of PostgreSQL's CSV `COPY` output into RFC 4180's CRLF. Only line ends
 * change: an LF inside a quoted field is part of the value and is kept. The quote state carries
 * over chunk boundaries (a doubled quote toggles twice, so it needs no special case).
 */
export class CsvLineEnds extends Transform {
  private quoted = false;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    // First pass: count the line ends, so the output is allocated once.
    let quoted = this.quoted;
    let ends = 0;
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i];
      if (byte === QUOTE) quoted = !quoted;
      else if (byte === LF && !quoted) ends++;
    }
    if (ends === 0) {
      this.quoted = quoted;
      callback(null, chunk);
      return;
    }
    const out = Buffer.allocUnsafe(chunk.length + ends);
    quoted = this.quoted;
    let from = 0;
    let at = 0;
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i];
      if (byte === QUOTE) quoted = !quoted;
      else if (byte === LF && !quoted) {
        at += chunk.copy(out, at, from, i);
        out[at++] = CR;
        out[at++] = LF;
        from = i + 1;
      }
    }
    chunk.copy(out, at, from);
    this.quoted = quoted;
    callback(null, out);
  }
}
