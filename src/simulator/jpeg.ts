// A small baseline JPEG encoder (JFIF, YCbCr 4:4:4, 8-bit, the standard Huffman and
// quantisation tables of ITU-T T.81 Annex K). Good enough for camera pictures of a few
// hundred pixels; every decoder reads it.

export interface RgbImage {
  width: number;
  height: number;
  /** width * height * 3 bytes, RGB, row by row. */
  data: Uint8Array;
}

/** ZIGZAG[natural index] = position in zig-zag order. */
const ZIGZAG = [
  0, 1, 5, 6, 14, 15, 27, 28, 2, 4, 7, 13, 16, 26, 29, 42, 3, 8, 12, 17, 25, 30, 41, 43, 9, 11, 18, 24, 31, 40, 44, 53, 10, 19, 23, 32, 39,
  45, 52, 54, 20, 22, 33, 38, 46, 51, 55, 60, 21, 34, 37, 47, 50, 56, 59, 61, 35, 36, 48, 49, 57, 58, 62, 63,
];
const LUMA_Q = [
  16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62, 18, 22,
  37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
];
const CHROMA_Q = [
  17,
  18,
  24,
  47,
  99,
  99,
  99,
  99,
  18,
  21,
  26,
  66,
  99,
  99,
  99,
  99,
  24,
  26,
  56,
  99,
  99,
  99,
  99,
  99,
  47,
  66,
  99,
  99,
  99,
  99,
  99,
  99,
  ...new Array<number>(32).fill(99),
];

const DC_LUMA_BITS = [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0];
const DC_CHROMA_BITS = [0, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0];
const DC_VALUES = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
const AC_LUMA_BITS = [0, 2, 1, 3, 3, 2, 4, 3, 5, 5, 4, 4, 0, 0, 1, 0x7d];
const AC_CHROMA_BITS = [0, 2, 1, 2, 4, 4, 3, 4, 7, 5, 4, 4, 0, 1, 2, 0x77];
const AC_LUMA_VALUES = [
  0x01, 0x02, 0x03, 0x00, 0x04, 0x11, 0x05, 0x12, 0x21, 0x31, 0x41, 0x06, 0x13, 0x51, 0x61, 0x07, 0x22, 0x71, 0x14, 0x32, 0x81, 0x91, 0xa1,
  0x08, 0x23, 0x42, 0xb1, 0xc1, 0x15, 0x52, 0xd1, 0xf0, 0x24, 0x33, 0x62, 0x72, 0x82, 0x09, 0x0a, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x25, 0x26,
  0x27, 0x28, 0x29, 0x2a, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4a, 0x53, 0x54, 0x55, 0x56,
  0x57, 0x58, 0x59, 0x5a, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x83, 0x84, 0x85,
  0x86, 0x87, 0x88, 0x89, 0x8a, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa,
  0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6,
  0xd7, 0xd8, 0xd9, 0xda, 0xe1, 0xe2, 0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9,
  0xfa,
];
const AC_CHROMA_VALUES = [
  0x00, 0x01, 0x02, 0x03, 0x11, 0x04, 0x05, 0x21, 0x31, 0x06, 0x12, 0x41, 0x51, 0x07, 0x61, 0x71, 0x13, 0x22, 0x32, 0x81, 0x08, 0x14, 0x42,
  0x91, 0xa1, 0xb1, 0xc1, 0x09, 0x23, 0x33, 0x52, 0xf0, 0x15, 0x62, 0x72, 0xd1, 0x0a, 0x16, 0x24, 0x34, 0xe1, 0x25, 0xf1, 0x17, 0x18, 0x19,
  0x1a, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4a, 0x53, 0x54, 0x55,
  0x56, 0x57, 0x58, 0x59, 0x5a, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x82, 0x83,
  0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8,
  0xa9, 0xaa, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xd2, 0xd3, 0xd4,
  0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda, 0xe2, 0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9,
  0xfa,
];

interface HuffTable {
  code: Uint16Array;
  len: Uint8Array;
}

function huffTable(bits: readonly number[], values: readonly number[]): HuffTable {
  const t: HuffTable = { code: new Uint16Array(256), len: new Uint8Array(256) };
  let code = 0;
  let k = 0;
  for (let l = 1; l <= 16; l++) {
    for (let i = 0; i < bits[l - 1]; i++, k++) {
      t.code[values[k]] = code++;
      t.len[values[k]] = l;
    }
    code <<= 1;
  }
  return t;
}

const DC_LUMA = huffTable(DC_LUMA_BITS, DC_VALUES);
const DC_CHROMA = huffTable(DC_CHROMA_BITS, DC_VALUES);
const AC_LUMA = huffTable(AC_LUMA_BITS, AC_LUMA_VALUES);
const AC_CHROMA = huffTable(AC_CHROMA_BITS, AC_CHROMA_VALUES);

/** AAN scale factors: the float AAN DCT below yields F(u,v) * 8 * AAN[u] * AAN[v]. */
const AAN = [1, 1.387039845, 1.306562965, 1.175875602, 1, 0.785694958, 0.5411961, 0.275899379];

/** In-place forward DCT of 8 values at d[o], d[o+s], ... (Arai, Agui, Nakajima; as IJG jfdctflt.c). */
function fdct8(d: Float64Array, o: number, s: number): void {
  const d0 = d[o],
    d1 = d[o + s],
    d2 = d[o + 2 * s],
    d3 = d[o + 3 * s];
  const d4 = d[o + 4 * s],
    d5 = d[o + 5 * s],
    d6 = d[o + 6 * s],
    d7 = d[o + 7 * s];
  const t0 = d0 + d7,
    t7 = d0 - d7,
    t1 = d1 + d6,
    t6 = d1 - d6;
  const t2 = d2 + d5,
    t5 = d2 - d5,
    t3 = d3 + d4,
    t4 = d3 - d4;
  const t10 = t0 + t3,
    t13 = t0 - t3,
    t11 = t1 + t2,
    t12 = t1 - t2;
  d[o] = t10 + t11;
  d[o + 4 * s] = t10 - t11;
  const z1 = (t12 + t13) * 0.707106781;
  d[o + 2 * s] = t13 + z1;
  d[o + 6 * s] = t13 - z1;
  const u10 = t4 + t5,
    u11 = t5 + t6,
    u12 = t6 + t7;
  const z5 = (u10 - u12) * 0.382683433;
  const z2 = 0.5411961 * u10 + z5;
  const z4 = 1.306562965 * u12 + z5;
  const z3 = u11 * 0.707106781;
  const z11 = t7 + z3,
    z13 = t7 - z3;
  d[o + 5 * s] = z13 + z2;
  d[o + 3 * s] = z13 - z2;
  d[o + s] = z11 + z4;
  d[o + 7 * s] = z11 - z4;
}

function scaledTable(base: readonly number[], quality: number): Uint8Array {
  const q = Math.min(100, Math.max(1, Math.round(quality)));
  const sf = q < 50 ? 5000 / q : 200 - q * 2;
  return Uint8Array.from(base, (v) => Math.min(255, Math.max(1, Math.floor((v * sf + 50) / 100))));
}

class BitWriter {
  private buf: Buffer = Buffer.allocUnsafe(4096);
  private pos = 0;
  private acc = 0;
  private n = 0;

  private byte(b: number): void {
    if (this.pos + 2 > this.buf.length) {
      const bigger = Buffer.allocUnsafe(this.buf.length * 2);
      this.buf.copy(bigger, 0, 0, this.pos);
      this.buf = bigger;
    }
    this.buf[this.pos++] = b;
    if (b === 0xff) this.buf[this.pos++] = 0; // byte stuffing
  }

  put(code: number, len: number): void {
    this.acc = (this.acc << len) | (code & ((1 << len) - 1));
    this.n += len;
    while (this.n >= 8) {
      this.n -= 8;
      this.byte((this.acc >>> this.n) & 0xff);
    }
    this.acc &= (1 << this.n) - 1;
  }

  finish(): Buffer {
    if (this.n > 0) this.put((1 << (8 - this.n)) - 1, 8 - this.n); // pad with 1 bits
    return this.buf.subarray(0, this.pos);
  }
}

function bitLength(v: number): number {
  let a = Math.abs(v);
  let s = 0;
  while (a) {
    s++;
    a >>= 1;
  }
  return s;
}

function segment(marker: number, payload: number[] | Buffer): Buffer {
  const head = Buffer.from([0xff, marker, (payload.length + 2) >> 8, (payload.length + 2) & 0xff]);
  return Buffer.concat([head, Buffer.from(payload)]);
}

function headers(width: number, height: number, lq: Uint8Array, cq: Uint8Array): Buffer {
  const zig = (t: Uint8Array): number[] => {
    const out = new Array<number>(64);
    for (let i = 0; i < 64; i++) out[ZIGZAG[i]] = t[i];
    return out;
  };
  const dht = (cls: number, bits: readonly number[], values: readonly number[]): number[] => [cls, ...bits, ...values];
  return Buffer.concat([
    Buffer.from([0xff, 0xd8]),
    segment(0xe0, [0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0]), // JFIF 1.01, aspect 1:1, no thumbnail
    segment(0xdb, [0x00, ...zig(lq), 0x01, ...zig(cq)]),
    segment(0xc0, [8, height >> 8, height & 0xff, width >> 8, width & 0xff, 3, 1, 0x11, 0, 2, 0x11, 1, 3, 0x11, 1]),
    segment(0xc4, [
      ...dht(0x00, DC_LUMA_BITS, DC_VALUES),
      ...dht(0x10, AC_LUMA_BITS, AC_LUMA_VALUES),
      ...dht(0x01, DC_CHROMA_BITS, DC_VALUES),
      ...dht(0x11, AC_CHROMA_BITS, AC_CHROMA_VALUES),
    ]),
    segment(0xda, [3, 1, 0x00, 2, 0x11, 3, 0x11, 0, 63, 0]),
  ]);
}

/** The 8x8 block at (bx, by) as Y, Cb, Cr, centred on 0; pixels past the edge repeat the edge. */
function loadBlock(img: RgbImage, bx: number, by: number, block: Float64Array[]): void {
  const { width, height, data } = img;
  for (let y = 0; y < 8; y++) {
    const py = Math.min(height - 1, by + y); // replicate the edge
    for (let x = 0; x < 8; x++) {
      const o = (py * width + Math.min(width - 1, bx + x)) * 3;
      const r = data[o];
      const g = data[o + 1];
      const b = data[o + 2];
      const i = y * 8 + x;
      block[0][i] = 0.299 * r + 0.587 * g + 0.114 * b - 128;
      block[1][i] = -0.168736 * r - 0.331264 * g + 0.5 * b;
      block[2][i] = 0.5 * r - 0.418688 * g - 0.081312 * b;
    }
  }
}

/** The AC coefficients of a block (zigzag order), run-length and Huffman coded. */
function putAc(w: BitWriter, coef: Int32Array, ac: { code: ArrayLike<number>; len: ArrayLike<number> }): void {
  let run = 0;
  for (let k = 1; k < 64; k++) {
    const v = coef[k];
    if (v === 0) {
      run++;
      continue;
    }
    while (run > 15) {
      w.put(ac.code[0xf0], ac.len[0xf0]);
      run -= 16;
    }
    const s = bitLength(v);
    const sym = (run << 4) | s;
    w.put(ac.code[sym], ac.len[sym]);
    w.put(v < 0 ? v + (1 << s) - 1 : v, s);
    run = 0;
  }
  if (run > 0) w.put(ac.code[0x00], ac.len[0x00]);
}

/** Encode an RGB image as a baseline JPEG. */
export function encodeJpeg(img: RgbImage, quality = 80): Buffer {
  const { width, height } = img;
  if (width < 1 || height < 1 || width > 65535 || height > 65535 || img.data.length < width * height * 3) {
    throw new RangeError('encodeJpeg: bad image');
  }
  const lq = scaledTable(LUMA_Q, quality);
  const cq = scaledTable(CHROMA_Q, quality);
  const divisors = (t: Uint8Array): Float64Array => Float64Array.from(t, (q, i) => 1 / (q * AAN[i >> 3] * AAN[i & 7] * 8));
  const ldiv = divisors(lq);
  const cdiv = divisors(cq);
  const w = new BitWriter();
  const block = [new Float64Array(64), new Float64Array(64), new Float64Array(64)];
  const coef = new Int32Array(64);
  const prevDc = [0, 0, 0];

  const encodeBlock = (src: Float64Array, comp: number): void => {
    const div = comp === 0 ? ldiv : cdiv;
    const dc = comp === 0 ? DC_LUMA : DC_CHROMA;
    const ac = comp === 0 ? AC_LUMA : AC_CHROMA;
    for (let r = 0; r < 64; r += 8) fdct8(src, r, 1);
    for (let c = 0; c < 8; c++) fdct8(src, c, 8);
    for (let i = 0; i < 64; i++) {
      const v = Math.round(src[i] * div[i]);
      coef[ZIGZAG[i]] = v > 1023 ? 1023 : v < -1023 ? -1023 : v; // baseline limits (DC differences stay within 11 bits)
    }
    const diff = coef[0] - prevDc[comp];
    prevDc[comp] = coef[0];
    const ds = bitLength(diff);
    w.put(dc.code[ds], dc.len[ds]);
    if (ds) w.put(diff < 0 ? diff + (1 << ds) - 1 : diff, ds);
    putAc(w, coef, ac);
  };

  for (let by = 0; by < height; by += 8) {
    for (let bx = 0; bx < width; bx += 8) {
      loadBlock(img, bx, by, block);
      for (let c = 0; c < 3; c++) encodeBlock(block[c], c);
    }
  }
  return Buffer.concat([headers(width, height, lq, cq), w.finish(), Buffer.from([0xff, 0xd9])]);
}

const PADDING_TEXT = Buffer.from('WebTAPI simulator padding. ');

/**
 * Insert COM segments right after the JFIF APP0 segment so that the file is at least minBytes long.
 * The picture itself is unchanged.
 */
export function padJpeg(jpeg: Buffer, minBytes: number): Buffer {
  const extra = minBytes - jpeg.length;
  if (extra <= 0) return jpeg;
  const parts: Buffer[] = [];
  const segments = Math.max(1, Math.ceil(extra / 65537));
  let payload = Math.max(0, extra - 4 * segments);
  for (let i = 0; i < segments; i++) {
    const n = Math.min(65533, Math.ceil(payload / (segments - i)));
    payload -= n;
    const seg = Buffer.allocUnsafe(4 + n);
    seg[0] = 0xff;
    seg[1] = 0xfe;
    seg.writeUInt16BE(n + 2, 2);
    for (let p = 4; p < seg.length; p += PADDING_TEXT.length) PADDING_TEXT.copy(seg, p, 0, Math.min(PADDING_TEXT.length, seg.length - p));
    parts.push(seg);
  }
  const app0End = 2 + 2 + jpeg.readUInt16BE(4); // SOI + APP0 marker + APP0 length
  return Buffer.concat([jpeg.subarray(0, app0End), ...parts, jpeg.subarray(app0End)]);
}
