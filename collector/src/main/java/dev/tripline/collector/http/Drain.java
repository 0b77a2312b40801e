package dev.tripline.collector.http;

import java.util.function.LongConsumer;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.Callback;

/**
 * Reads and drops the rest of a request body after its 413 went out, up to {@code limit} bytes,
 * then ends the exchange. Closed with unread bytes, a socket answers the rest of an upload with a
 * reset, and a client still sending (the JDK's HttpClient, curl) reports a broken pipe instead of
 * the answer it was sent: the lingering close of nginx and Apache, for the same reason. Costs
 * bandwidth, never heap, and no thread while it waits; {@code progress} keeps {@link
 * ConnectionGuard}'s minimum body rate on it, so a stalled sender is closed as any slow body is.
 */
final class Drain implements Runnable {
  private final Request request;
  private final long limit;
  private final LongConsumer progress;
  private final Callback done;
  private long seen;

  private Drain(Request request, long seen, long limit, LongConsumer progress, Callback done) {
    this.request = request;
    this.seen = seen;
    this.limit = limit;
    this.progress = progress;
    this.done = done;
  }

  /**
   * A callback that, once the answer is written, drains {@code request} (of which {@code seen}
   * bytes were already read) and then completes {@code done}.
   */
  static Callback after(
      Request request, long seen, long limit, LongConsumer progress, Callback done) {
    return Callback.from(() -> new Drain(request, seen, limit, progress, done).run(), done::failed);
  }

  @Override
  public void run() {
    while (seen <= limit) {
      Content.Chunk chunk = request.read();
      if (chunk == null) {
        request.demand(this);
        return;
      }
      if (Content.Chunk.isFailure(chunk)) {
        break; // the client went away: its answer was sent, nothing more to drop
      }
      seen += chunk.remaining();
      boolean last = chunk.isLast();
      chunk.release();
      progress.accept(seen);
      if (last) {
        break;
      }
    }
    done.succeeded(); // past the limit the connection closes with the rest unread
  }
}
