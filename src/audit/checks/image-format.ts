/**
 * Image size and mode inconsistencies in an image folder: files whose width×height, channel count / colour space
 * or format differ from the most common one (they are resized and converted on load, which can hide a mix of
 * sources, crops or grayscale scans in a colour set). Reads image headers only.
 */
import { stat } from "node:fs/promises";
import { extname, relative } from "node:path";
import sharp from "sharp";
import { makeIssue, type AuditContext } from "../context.js";
import type { AuditCheck } from "../check.js";
import type { Issue } from "../types.js";
import { IMAGE_EXT, listFiles } from "../../data/sources/images.js";

/** The image files of the folder, in the data layer's row order (non-image files are not rows). */
async function listImages(dir: string): Promise<string[]> {
  return (await listFiles(dir)).filter((p) => IMAGE_EXT.has(extname(p).toLowerCase()));
}

export async function checkImageFormat(ctx: AuditContext): Promise<Issue[]> {
  const src = ctx.ds.source;
  if (ctx.ds.schema.kind !== "image" || src.startsWith("builtin:")) return [];
  try {
    if (!(await stat(src)).isDirectory()) return [];
  } catch {
    return [];
  }
  const files = await listImages(src);
  const meta: { size: string; mode: string; format: string }[] = [];
  for (let i = 0; i < files.length; i += 16) {
    const chunk = await Promise.all(
      files.slice(i, i + 16).map(async (f) => {
        try {
          const m = await sharp(f).metadata();
          return { size: `${m.width}x${m.height}`, mode: `${m.channels ?? "?"}ch ${m.space ?? ""}`.trim(), format: m.format ?? "?" };
        } catch {
          return { size: "unreadable", mode: "unreadable", format: "unreadable" };
        }
      }),
    );
    meta.push(...chunk);
  }
  const mostCommon = (key: "size" | "mode" | "format") => {
    const c = new Map<string, number>();
    for (const m of meta) c.set(m[key], (c.get(m[key]) ?? 0) + 1);
    return { top: [...c.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? "", counts: Object.fromEntries(c) };
  };
  const size = mostCommon("size");
  const mode = mostCommon("mode");
  const format = mostCommon("format");
  const rows: number[] = [];
  const examples: { row: number; file: string; size: string; mode: string; format: string }[] = [];
  meta.forEach((m, i) => {
    if (m.size !== size.top || m.mode !== mode.top || m.format !== format.top) {
      rows.push(i);
      if (examples.length < 20) examples.push({ row: i, file: relative(src, files[i]!), ...m });
    }
  });
  if (rows.length === 0) return [];
  return [
    makeIssue(
      "image_format",
      rows.length / meta.length >= 0.05 ? "medium" : "low",
      rows,
      `${rows.length} of ${meta.length} images differ from the usual ${size.top} ${mode.top} ${format.top}: sizes ${JSON.stringify(size.counts)}, modes ${JSON.stringify(mode.counts)}; they are resized/converted on load`,
      { sizes: size.counts, modes: mode.counts, formats: format.counts, examples },
      { score: 1 - rows.length / meta.length },
    ),
  ];
}

export const imageFormatCheck: AuditCheck = {
  name: "image-format",
  title: "image formats",
  types: ["image_format"],
  needs: ["image-folder"],
  async run(ctx) {
    return { issues: await checkImageFormat(ctx) };
  },
};
