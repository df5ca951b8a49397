// The curl command that sends what the page would send: the same endpoint, the image as an upload, the text as a
// literal form string (--form-string: a leading @ or < is not read as a file), the knobs, and the key as a
// variable, never its value.

const SAFE = /^[\w.,:/@=+-]+$/;

/** `s` quoted for a POSIX shell (single quotes; a quote inside as '\''). */
export const shellQuote = (s) => (SAFE.test(s) ? s : `'${s.replaceAll("'", "'\\''")}'`);

/**
 * @param {{ origin: string, endpoint: string, imageName: string, field: string, text: string,
 *           knobs: Array<[string, string]>, stream: boolean, withKey: boolean }} r
 */
export function curlCommand(r) {
  const lines = [`curl -s${r.stream ? 'N' : ''} ${shellQuote(r.origin + r.endpoint)}`];
  if (r.withKey) lines.push('-H "Authorization: Bearer $LAVIDA_API_KEY"');
  lines.push(`-F ${shellQuote(`image=@${r.imageName}`)}`);
  lines.push(`--form-string ${shellQuote(`${r.field}=${r.text}`)}`);
  for (const [name, value] of r.knobs) lines.push(`-F ${shellQuote(`${name}=${value}`)}`);
  if (r.stream) lines.push('-F stream=true');
  return lines.join(' \\\n  ');
}
