// Media the simulated PBX serves: camera pictures (JPEG) and call recordings (WAV).
import { createHash } from 'node:crypto';
import { encodeJpeg, padJpeg, type RgbImage } from './jpeg';

export const FRAME_WIDTH = 160;
export const FRAME_HEIGHT = 120;

// 3x5 pixel font: five rows of three pixels, top to bottom.
const FONT: Record<string, string> = {
  A: '.#. #.# ### #.# #.#',
  B: '##. #.# ##. #.# ##.',
  C: '.## #.. #.. #.. .##',
  D: '##. #.# #.# #.# ##.',
  E: '### #.. ##. #.. ###',
  F: '### #.. ##. #.. #..',
  G: '.## #.. #.# #.# .##',
  H: '#.# #.# ### #.# #.#',
  I: '### .#. .#. .#. ###',
  J: '..# ..# ..# #.# .#.',
  K: '#.# #.# ##. #.# #.#',
  L: '#.. #.. #.. #.. ###',
  M: '#.# ### #.# #.# #.#',
  N: '##. #.# #.# #.# #.#',
  O: '.#. #.# #.# #.# .#.',
  P: '##. #.# ##. #.. #..',
  Q: '.#. #.# #.# ##. .##',
  R: '##. #.# ##. #.# #.#',
  S: '.## #.. .#. ..# ##.',
  T: '### .#. .#. .#. .#.',
  U: '#.# #.# #.# #.# ###',
  V: '#.# #.# #.# #.# .#.',
  W: '#.# #.# ### ### #.#',
  X: '#.# #.# .#. #.# #.#',
  Y: '#.# #.# .#. .#. .#.',
  Z: '### ..# .#. #.. ###',
  '0': '### #.# #.# #.# ###',
  '1': '.#. ##. .#. .#. ###',
  '2': '##. ..# .#. #.. ###',
  '3': '##. ..# .#. ..# ##.',
  '4': '#.# #.# ### ..# ..#',
  '5': '### #.. ##. ..# ##.',
  '6': '.## #.. ### #.# ###',
  '7': '### ..# .#. .#. .#.',
  '8': '### #.# ### #.# ###',
  '9': '### #.# ### ..# ##.',
  ':': '... .#. ... .#. ...',
  '-': '... ... ### ... ...',
  '.': '... ... ... ... .#.',
  '#': '#.# ### #.# ### #.#',
  '/': '..# ..# .#. #.. #..',
  ' ': '... ... ... ... ...',
};

function glyph(ch: string): string {
  return (FONT[ch.toUpperCase()] ?? FONT['-']).replace(/ /g, '');
}

function hue(seed: string): [number, number, number] {
  const h = createHash('sha1').update(seed).digest();
  return [40 + (h[0] % 120), 40 + (h[1] % 120), 60 + (h[2] % 140)];
}

class Canvas implements RgbImage {
  readonly data: Uint8Array;
  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.data = new Uint8Array(width * height * 3);
  }

  set(x: number, y: number, [r, g, b]: readonly number[]): void {
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) return;
    const o = (y * this.width + x) * 3;
    this.data[o] = Math.max(0, Math.min(255, r));
    this.data[o + 1] = Math.max(0, Math.min(255, g));
    this.data[o + 2] = Math.max(0, Math.min(255, b));
  }

  rect(x0: number, y0: number, w: number, h: number, c: readonly number[]): void {
    for (let y = y0; y < y0 + h; y++) for (let x = x0; x < x0 + w; x++) this.set(x, y, c);
  }

  text(s: string, x0: number, y0: number, scale: number, c: readonly number[]): void {
    let x = x0;
    for (const ch of s) {
      const g = glyph(ch);
      for (let i = 0; i < 15; i++) {
        if (g[i] !== '#') continue;
        const gx = x + (i % 3) * scale;
        const gy = y0 + Math.floor(i / 3) * scale;
        this.rect(gx + 1, gy + 1, scale, scale, [0, 0, 0]); // shadow
        this.rect(gx, gy, scale, scale, c);
      }
      x += 4 * scale;
    }
  }
}

const backgrounds = new Map<string, Uint8Array>();

/** The still part of a camera's scene: sky tinted per camera, ground, a door. */
function background(camId: string): Uint8Array {
  let bg = backgrounds.get(camId);
  if (bg) return bg;
  const W = FRAME_WIDTH;
  const H = FRAME_HEIGHT;
  const c = new Canvas(W, H);
  const [r, g, b] = hue(camId);
  const horizon = Math.floor(H * 0.62);
  for (let y = 0; y < H; y++) {
    const k = y < horizon ? 0.5 + (y / horizon) * 0.5 : 0.35 + ((y - horizon) / (H - horizon)) * 0.25;
    const row = y < horizon ? [r * k, g * k, b * k] : [90 * k + 40, 80 * k + 30, 70 * k + 20];
    for (let x = 0; x < W; x++)
      c.set(
        x,
        y,
        row.map((v) => Math.round(v + ((x * 37 + y * 17) % 7))),
      );
  }
  const doorX = Math.floor(W * 0.62);
  const doorY = Math.floor(H * 0.25);
  c.rect(doorX, doorY, 30, horizon - doorY, [60, 45, 35]);
  c.rect(doorX + 3, doorY + 3, 24, horizon - doorY - 3, [120, 95, 70]);
  bg = c.data;
  if (backgrounds.size > 64) backgrounds.clear();
  backgrounds.set(camId, bg);
  return bg;
}

/** Draw camera picture number `frame`: the camera's scene, a moving figure, the camera id, name, counter and time. */
export function drawFrame(camId: string, name: string, frame: number, recording: boolean, now = new Date()): RgbImage {
  const W = FRAME_WIDTH;
  const H = FRAME_HEIGHT;
  const c = new Canvas(W, H);
  c.data.set(background(camId));
  const barX = ((frame * 6) % (W + 16)) - 16;
  c.rect(barX, 30, 12, H - 42, [250, 220, 40]);
  c.rect(barX + 3, 22, 6, 8, [240, 200, 170]);
  c.text(`CAM ${camId}`, 4, 4, 2, [255, 255, 255]);
  c.text(name.slice(0, 14), 4, 18, 1, [230, 230, 230]);
  c.text(now.toISOString().slice(11, 19), 4, H - 12, 2, [255, 255, 255]);
  const counter = String(frame % 100000);
  c.text(`#${counter}`, W - 4 - 8 * (counter.length + 1), H - 12, 2, [200, 255, 200]);
  if (recording && frame % 2 === 0) c.rect(W - 12, 5, 7, 7, [230, 20, 20]);
  return c;
}

/** A camera picture as JPEG, padded to at least minBytes when given. */
export function cameraJpeg(camId: string, name: string, frame: number, recording: boolean, minBytes = 0): Buffer {
  const jpeg = encodeJpeg(drawFrame(camId, name, frame, recording), 80);
  return minBytes > 0 ? padJpeg(jpeg, minBytes) : jpeg;
}

/**
 * A recording: about a second of an 8 kHz 16-bit mono sine tone, the pitch derived from the file name,
 * so the same file is byte-identical on every download.
 */
export function recordingWav(file: string, seconds = 1): Buffer {
  const rate = 8000;
  const samples = Math.round(rate * seconds);
  const h = createHash('sha1').update(file).digest();
  const freq = 300 + (h.readUInt16BE(0) % 600);
  const buf = Buffer.alloc(44 + samples * 2);
  buf.write('RIFF', 0, 'ascii');
  buf.writeUInt32LE(36 + samples * 2, 4);
  buf.write('WAVE', 8, 'ascii');
  buf.write('fmt ', 12, 'ascii');
  buf.writeUInt32LE(16, 16); // fmt chunk size
  buf.writeUInt16LE(1, 20); // PCM
  buf.writeUInt16LE(1, 22); // mono
  buf.writeUInt32LE(rate, 24);
  buf.writeUInt32LE(rate * 2, 28); // byte rate
  buf.writeUInt16LE(2, 32); // block align
  buf.writeUInt16LE(16, 34); // bits per sample
  buf.write('data', 36, 'ascii');
  buf.writeUInt32LE(samples * 2, 40);
  const fade = rate / 50;
  for (let i = 0; i < samples; i++) {
    const env = Math.min(1, i / fade, (samples - 1 - i) / fade);
    buf.writeInt16LE(Math.round(Math.sin((2 * Math.PI * freq * i) / rate) * 12000 * env), 44 + i * 2);
  }
  return buf;
}
