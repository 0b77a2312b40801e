package dev.tripline.agent.record;

/**
 * The cache key of a directory listing: never equal to the key of a file of the same name read (the
 * listing is its own occurrence, its event a FILE_READ marked {@code directory}).
 */
final class Listing {
  private final Object path;

  Listing(Object path) {
    this.path = path;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Listing && ((Listing) o).path.equals(path);
  }

  @Override
  public int hashCode() {
    return path.hashCode() * 31 + 11;
  }
}
