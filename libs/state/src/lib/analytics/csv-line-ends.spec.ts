import { Readable } from 'node:stream';
import { CsvLineEnds } from './csv-line-ends';

async function convert(chunks: string[]): Promise<string> {
  const out: Buffer[] = [];
  for await (const chunk of Readable.from(chunks.map((c) => Buffer.from(c))).pipe(new CsvLineEnds())) out.push(chunk as Buffer);
  return Buffer.concat(out).toString();
}

describe('CsvLineEnds', () => {
  it('ends every line with CRLF', async () => {
    expect(await convert(['a,"b"\nc,"d ""e"""\n'])).toBe('a,"b"\r\nc,"d ""e"""\r\n');
  });

  it('keeps line ends inside quoted fields, across chunk boundaries', async () => {
    expect(await convert(['a,"x\n', 'y"\n', 'b,"""', '\n"""\n'])).toBe('a,"x\ny"\r\nb,"""\n"""\r\n');
  });

  it('passes a chunk without line ends as it is', async () => {
    expect(await convert(['a,', '"b', '"\n'])).toBe('a,"b"\r\n');
  });
});
