/**
 * What real `nsupdate` puts on the wire: a UDP socket on 127.0.0.1 poses as
 * the server, nsupdate sends its UPDATE there, and the first datagram is
 * kept. Nothing answers, so nsupdate gives up after its single short try.
 */
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';

export async function captureNsupdate(nsupdatePath: string, keyArg: string, script: (port: number) => string): Promise<Uint8Array> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const port = socket.address().port;
  const packet = new Promise<Uint8Array>((resolve) => socket.once('message', (msg) => resolve(new Uint8Array(msg))));
  const child = spawn(nsupdatePath, ['-y', keyArg, '-t', '2', '-u', '1', '-r', '0'], { stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += String(d)));
  child.stdin.end(script(port));
  const exited = new Promise<never>((_, reject) => child.once('exit', () => reject(new Error(`nsupdate sent nothing: ${stderr}`))));
  try {
    return await Promise.race([packet, exited]);
  } finally {
    child.kill();
    socket.close();
  }
}
