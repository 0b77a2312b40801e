package dev.tripline.collector.http;

import java.io.ByteArrayOutputStream;
import java.util.function.BiConsumer;
import java.util.function.LongConsumer;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;

/**
 * Reads a request body without holding a thread while it arrives, and stops at {@code max} bytes:
 * the rest is never read (the connection is closed after the 413). A body that trickles in costs a
 * socket and at most {@code max} bytes of heap until {@link ConnectionGuard}'s minimum rate ends it
 * ({@code progress} tells it how far the body got).
 */
final class BoundedBody implements Runnable {
  /** The body passed the limit. */
  static final class TooLarge extends RuntimeException {
    TooLarge() {
      super("request body too large", null, false, false);
    }
  }

  private final Request request;
  private final int max;
  private final BiConsumer<byte[], Throwable> done;
  private final LongConsumer progress;
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

  private BoundedBody(
      Request request, int max, LongConsumer progress, BiConsumer<byte[], Throwable> done) {
    this.request = request;
    this.max = max;
    this.progress = progress;
    this.done = done;
  }

  static void read(
      Request request, int max, LongConsumer progress, BiConsumer<byte[], Throwable> done) {
    new BoundedBody(request, max, progress, done).run();
  }

  @Override
  public void run() {
    while (true) {
      Content.Chunk chunk = request.read();
      if (chunk == null) {
        request.demand(this); // called back when more arrives; no thread waits meanwhile
        return;
      }
      if (Content.Chunk.isFailure(chunk)) {
        done.accept(null, chunk.getFailure());
        return;
      }
      int n = chunk.remaining();
      if (bytes.size() + (long) n > max) {
        chunk.release();
        done.accept(null, new TooLarge());
        return;
      }
      if (n > 0) {
        byte[] part = new byte[n];
        chunk.getByteBuffer().get(part);
        bytes.write(part, 0, n);
        progress.accept(bytes.size());
      }
      boolean last = chunk.isLast();
      chunk.release();
      if (last) {
        done.accept(bytes.toByteArray(), null);
        return;
      }
    }
  }
}
