const EXTENSION: Record<string, string> = { 'image/jpeg': 'jpg', 'image/png': 'png', 'image/gif': 'gif', 'image/webp': 'webp' };

/** `cam-44-20261126T101500.jpg`, local time: what an email or Telegram node can use as is. */
export function snapshotFilename(camera: string, contentType: string, at = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  const stamp = `${at.getFullYear()}${pad(at.getMonth() + 1)}${pad(at.getDate())}T${pad(at.getHours())}${pad(at.getMinutes())}${pad(at.getSeconds())}`;
  const ext = EXTENSION[contentType.split(';')[0].trim().toLowerCase()] ?? 'bin';
  return `cam-${camera}-${stamp}.${ext}`;
}
