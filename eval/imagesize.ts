// Image dimensions as stored in the file (before any EXIF rotation), read by sharp from the header, to map
// normalized boxes to pixels without decoding the image.
import { access } from 'node:fs/promises';
import sharp from 'sharp';
import { UserError } from './errors.js';

export interface Size {
  width: number;
  height: number;
}

export async function imageSize(path: string): Promise<Size> {
  if (
    !(await access(path).then(
      () => true,
      () => false,
    ))
  )
    throw new UserError(`image not found: ${path}`);
  try {
    const { width, height } = await sharp(path).metadata();
    if (width > 0 && height > 0) return { width, height };
  } catch {
    // an unknown format or a cut header: the error below says which file
  }
  throw new UserError(`cannot read the size of image ${path}`);
}
