/**
 * IDX files (the MNIST family): a 4-byte magic (0, 0, element type, number of dimensions), the dimensions as
 * big-endian uint32, then the data. Files may be gzip-compressed (detected by the gzip magic, not the name).
 */
import { readFile, access } from "node:fs/promises";
import { gunzipSync } from "node:zlib";
import { join } from "node:path";
import { DataError, EnvironmentError } from "../../errors.js";
import type { Tensors } from "../../engine/types.js";

export interface IdxArray {
  dims: number[];
  /** Only unsigned byte (type 0x08) data is returned as-is; other types are converted to Float32Array. */
  data: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
}

const TYPES: Record<number, { size: number; name: string }> = {
  0x08: { size: 1, name: "uint8" },
  0x09: { size: 1, name: "int8" },
  0x0b: { size: 2, name: "int16" },
  0x0c: { size: 4, name: "int32" },
  0x0d: { size: 4, name: "float32" },
  0x0e: { size: 8, name: "float64" },
};

/** Parses IDX bytes (already decompressed or gzip). `file` is only used in error messages. */
export function parseIdx(bytes: Uint8Array, file = "<bytes>"): IdxArray {
  let buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) {
    try {
      buf = gunzipSync(buf);
    } catch (e) {
      throw new DataError("IDX_GZIP", `${file}: gzip data is corrupt or truncated (${(e as Error).message})`, {
        hint: "re-download or re-install the file",
        details: { file },
        cause: e,
      });
    }
  }
  if (buf.length < 4 || buf[0] !== 0 || buf[1] !== 0) {
    throw new DataError("IDX_MAGIC", `${file}: not an IDX file (bad magic number)`, {
      hint: "IDX files start with two zero bytes, a type byte and a dimension count",
      details: { file },
    });
  }
  const type = TYPES[buf[2]!];
  const ndim = buf[3]!;
  if (!type || ndim === 0) {
    throw new DataError("IDX_TYPE", `${file}: unsupported IDX element type 0x${buf[2]!.toString(16)} or ${ndim} dimensions`, {
      hint: "supported types: uint8, int8, int16, int32, float32, float64",
      details: { file },
    });
  }
  const header = 4 + 4 * ndim;
  if (buf.length < header) {
    throw new DataError("IDX_TRUNCATED", `${file}: header truncated`, { hint: "the file is incomplete", details: { file } });
  }
  const dims: number[] = [];
  for (let i = 0; i < ndim; i++) dims.push(buf.readUInt32BE(4 + 4 * i));
  const count = dims.reduce((a, b) => a * b, 1);
  const need = header + count * type.size;
  if (buf.length < need) {
    throw new DataError("IDX_TRUNCATED", `${file}: truncated: dims [${dims.join(", ")}] need ${need} bytes, file has ${buf.length}`, {
      hint: "the file is incomplete; re-download or re-install it",
      details: { file, expected: need, actual: buf.length },
    });
  }
  const body = buf.subarray(header, need);
  if (type.name === "uint8") return { dims, data: new Uint8Array(body) };
  if (type.name === "int8") return { dims, data: new Int8Array(new Uint8Array(body).buffer) };
  // Multi-byte IDX data is big-endian: convert element by element.
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  switch (type.name) {
    case "int16": {
      const out = new Int16Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt16(2 * i, false);
      return { dims, data: out };
    }
    case "int32": {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt32(4 * i, false);
      return { dims, data: out };
    }
    case "float32": {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(4 * i, false);
      return { dims, data: out };
    }
    default: {
      const out = new Float64Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(8 * i, false);
      return { dims, data: out };
    }
  }
}

/** Reads an IDX file (gzip or raw). */
export async function readIdx(path: string): Promise<IdxArray> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new DataError("IDX_READ", `${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, {
      hint: "check the path and its permissions",
      details: { file: path },
      cause: e,
    });
  }
  if (bytes.length === 0) {
    throw new DataError("EMPTY_FILE", `${path}: file is empty (0 bytes)`, { hint: "re-download the file", details: { file: path } });
  }
  return parseIdx(bytes, path);
}

/** Images [n, h, w] (uint8) plus labels [n] from a pair of IDX files; checks the counts agree. */
export async function readIdxPair(imagesPath: string, labelsPath: string): Promise<{ images: Uint8Array; labels: Int32Array; n: number; h: number; w: number }> {
  const [img, lab] = await Promise.all([readIdx(imagesPath), readIdx(labelsPath)]);
  if (img.dims.length !== 3 || !(img.data instanceof Uint8Array)) {
    throw new DataError("IDX_SHAPE", `${imagesPath}: expected uint8 images of shape [n, h, w], got [${img.dims.join(", ")}]`, { details: { file: imagesPath } });
  }
  if (lab.dims.length !== 1) {
    throw new DataError("IDX_SHAPE", `${labelsPath}: expected labels of shape [n], got [${lab.dims.join(", ")}]`, { details: { file: labelsPath } });
  }
  const [n, h, w] = img.dims as [number, number, number];
  if (lab.dims[0] !== n) {
    throw new DataError("IDX_COUNT", `${labelsPath}: ${lab.dims[0]} labels but ${imagesPath} has ${n} images`, {
      hint: "the image and label files must come from the same split",
      details: { file: labelsPath },
    });
  }
  return { images: img.data, labels: Int32Array.from(lab.data as ArrayLike<number>), n, h, w };
}

export const FASHION_MNIST_DIR = "/usr/share/datasets/fashion-mnist";
export const FASHION_MNIST_CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

export interface IdxImageSet extends Tensors {
  x: Uint8Array;
  y: Int32Array;
  classes: string[];
  /** Official split: the first `trainCount` rows are the training set, the rest the test set. */
  trainCount: number;
  testCount: number;
  split: { train: Int32Array; test: Int32Array };
}

/**
 * Fashion-MNIST from Debian's dataset-fashion-mnist package: 60,000 train + 10,000 test uint8 images [1, 28, 28],
 * concatenated train-then-test, with the official split as index arrays.
 */
export async function readFashionMnist(dir: string = process.env.ENOUGH_FASHION_MNIST_DIR ?? FASHION_MNIST_DIR): Promise<IdxImageSet> {
  const file = (s: string) => join(dir, s);
  const trainImg = file("train-images-idx3-ubyte.gz");
  try {
    await access(trainImg);
  } catch {
    throw new EnvironmentError("FASHION_MNIST_MISSING", `Fashion-MNIST not found at ${dir}`, {
      hint: "install it: apt-get install dataset-fashion-mnist (or set ENOUGH_FASHION_MNIST_DIR to a folder with the four .gz IDX files)",
      details: { file: dir },
    });
  }
  const [train, test] = await Promise.all([
    readIdxPair(trainImg, file("train-labels-idx1-ubyte.gz")),
    readIdxPair(file("t10k-images-idx3-ubyte.gz"), file("t10k-labels-idx1-ubyte.gz")),
  ]);
  const n = train.n + test.n;
  const x = new Uint8Array(n * 28 * 28);
  x.set(train.images, 0);
  x.set(test.images, train.images.length);
  const y = new Int32Array(n);
  y.set(train.labels, 0);
  y.set(test.labels, train.n);
  const trainIdx = new Int32Array(train.n);
  for (let i = 0; i < train.n; i++) trainIdx[i] = i;
  const testIdx = new Int32Array(test.n);
  for (let i = 0; i < test.n; i++) testIdx[i] = train.n + i;
  return {
    task: "classification",
    numClasses: 10,
    n,
    x,
    xShape: [1, train.h, train.w],
    xKind: "image",
    // Fashion-MNIST's pixel statistics over the training set (x / 255).
    imageMean: [0.286],
    imageStd: [0.353],
    y,
    classes: FASHION_MNIST_CLASSES.slice(),
    trainCount: train.n,
    testCount: test.n,
    split: { train: trainIdx, test: testIdx },
  };
}
