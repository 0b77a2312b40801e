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
 * ConnectionGuard}'s minimum body rate on it, so a stalled sender is closed as any slow body is,
 * and it ends {@code http.idle.timeout} after the answer however the bytes trickle (nginx's {@code
 * lingering_time}): a drain never holds a connection longer than that.
 */
final class Drain implements Runnable {
  private final long deadline;
  private final Request request;
  private final long limit;
  private final LongConsumer progress;
  private final Callback done;
  private long seen;

  private Drain(
      Request request, long seen, HttpLimits limits, LongConsumer progress, Callback done) {
    this.deadline = System.nanoTime() + limits.idleTimeout().toNanos();
    this.request = request;
    this.seen = seen;
    this.limit = limits.drainBytes();
    this.progress = progress;
    this.done = done;
  }

  /**
   * A callback that, once the answer is written, drains {@code request} (of which {@code seen}
   * bytes were already read) for at most {@link HttpLimits#drainBytes} in all and {@code
   * http.idle.timeout} of time, then completes {@code done}.
   */
  static Callback after(
      Request request, long seen, HttpLimits limits, LongConsumer progress, Callback done) {
    return Callback.from(
        () -> new Drain(request, seen, limits, progress, done).run(), done::failed);
  }

  @Override
  public void run() {
    while (seen <= limit && System.nanoTime() - deadline < 0) {
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
    done.succeeded(); // past the limit or the deadline the connection closes with the rest unread
  }
}
