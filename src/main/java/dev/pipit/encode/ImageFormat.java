package dev.pipit.encode;

/**
 * Image formats pipit decodes, recognised by their leading bytes, never by name or content type.
 */
public enum ImageFormat {
  /** JPEG/JFIF/EXIF: {@code FF D8 FF}. */
  JPEG("jpeg"),
  /** PNG: {@code 89 'PNG' 0D 0A 1A 0A}. */
  PNG("png"),
  /** GIF 87a/89a; only the first frame is decoded. */
  GIF("gif"),
  /** Windows bitmap: {@code 'BM'}. */
  BMP("bmp"),
  /** WebP: {@code 'RIFF' size 'WEBP'}. */
  WEBP("webp");

  private final String imageIoName;

  ImageFormat(String imageIoName) {
    this.imageIoName = imageIoName;
  }

  /** The ImageIO format name. */
  public String imageIoName() {
    return imageIoName;
  }

  /** Recognises a format from the first bytes of a file, or returns null. */
  public static ImageFormat sniff(byte[] b, int length) {
    if (length >= 3 && (b[0] & 0xff) == 0xFF && (b[1] & 0xff) == 0xD8 && (b[2] & 0xff) == 0xFF) {
      return JPEG;
    }
    if (length >= 8
        && (b[0] & 0xff) == 0x89
        && b[1] == 'P'
        && b[2] == 'N'
        && b[3] == 'G'
        && b[4] == 0x0D
        && b[5] == 0x0A
        && b[6] == 0x1A
        && b[7] == 0x0A) {
      return PNG;
    }
    if (length >= 6
        && b[0] == 'G'
        && b[1] == 'I'
        && b[2] == 'F'
        && b[3] == '8'
        && (b[4] == '7' || b[4] == '9')
        && b[5] == 'a') {
      return GIF;
    }
    if (length >= 14 && b[0] == 'B' && b[1] == 'M') {
      return BMP;
    }
    if (length >= 12
        && b[0] == 'R'
        && b[1] == 'I'
        && b[2] == 'F'
        && b[3] == 'F'
        && b[8] == 'W'
        && b[9] == 'E'
        && b[10] == 'B'
        && b[11] == 'P') {
      return WEBP;
    }
    return null;
  }
}
