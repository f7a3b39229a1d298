// A file behind the API key: a plain link cannot send X-Api-Key, so fetch it, then hand the blob to the browser
// as a download under the server's file name (Content-Disposition) or the one given.
import { refusal } from './api';

/** The file name of a Content-Disposition header (filename* in UTF-8 first, then filename); null when there is none. */
export function fileNameOf(disposition: string | null): string | null {
  if (!disposition) return null;
  const star = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(disposition);
  if (star) {
    try {
      return safeName(decodeURIComponent(star[1].trim()));
    } catch {
      // A malformed encoding: fall back to the plain parameter.
    }
  }
  const plain = /filename\s*=\s*("([^"]*)"|[^;]+)/.exec(disposition);
  if (!plain) return null;
  return safeName((plain[2] ?? plain[1]).trim());
}

/** No folders in a download's name, whatever a header says. */
const safeName = (name: string) => name.replace(/[\\/]/g, '_') || null;

/** Downloads `url` with the key; resolves with the name used. A refusal becomes an ApiError with the problem details. */
export async function download(key: string, url: string, fallbackName: string): Promise<string> {
  const response = await fetch(url, { headers: { 'X-Api-Key': key } });
  if (!response.ok) throw await refusal(response);
  const name = fileNameOf(response.headers.get('Content-Disposition')) ?? fallbackName;
  saveBlob(await response.blob(), name);
  return name;
}

/** Hands a blob to the browser as a download named `name`. */
export function saveBlob(blob: Blob, name: string) {
  const href = URL.createObjectURL(blob);
  try {
    const a = document.createElement('a');
    a.href = href;
    a.download = name;
    a.rel = 'noopener';
    document.body.appendChild(a);
    a.click();
    a.remove();
  } finally {
    // After the click the browser holds its own reference; revoking on the next tick frees the blob.
    setTimeout(() => URL.revokeObjectURL(href), 0);
  }
}
