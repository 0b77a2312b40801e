package dev.tripline.agent.record;

import dev.tripline.model.EventKind;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What a file path reached when it was opened during the agent's start-up. Until the recorder is
 * ready, the hooks' observations wait in the start-up buffer ({@code bootstrap.EarlyBuffer}) and
 * are recorded at the replay; a path resolved only then names what it reaches then — a directory
 * link swapped back in between (a dependency's static initializer opens through a link, then
 * restores it) would file the open under a harmless real path. So the buffer asks for this look on
 * the application's thread as each new observation is kept, the same look the recorder takes live
 * ({@link FileTargets#look}), and the replay uses it ({@code ObservationIntake}). Only file opens
 * and deletes; renames and listings are still resolved at the replay.
 */
public final class EarlySights {
  private final FileTargets files = new FileTargets(System.getProperty("user.dir"));

  /** A collector for one observation: the hook group decodes into it. */
  public Collector collector() {
    return new Collector(files);
  }

  /** The sights one observation produced, by path. */
  static final class Seen {
    private final List<String> paths = new ArrayList<>(1);
    private final List<FileTargets.Sight> sights = new ArrayList<>(1);

    /** The sight taken of {@code path} when it was observed, or null. */
    FileTargets.@Nullable Sight of(String path) {
      int i = paths.indexOf(path);
      return i < 0 ? null : sights.get(i);
    }
  }

  /** Takes the look the recorder would take, for the file calls; nothing else. */
  public static final class Collector implements Observations {
    private final FileTargets files;
    private @Nullable Seen seen;

    Collector(FileTargets files) {
      this.files = files;
    }

    /** What was looked at (a {@code Seen}), or null: the start-up buffer keeps it as it is. */
    public @Nullable Object result() {
      return seen;
    }

    private void keep(String path, FileTargets.Sight sight) {
      Seen s = seen;
      if (s == null) {
        s = new Seen();
        seen = s;
      }
      s.paths.add(path);
      s.sights.add(sight);
    }

    @Override
    public void file(EventKind kind, @Nullable String path, @Nullable Throwable error) {
      if (path != null) {
        keep(
            path,
            files.look(
                path,
                kind != EventKind.FILE_DELETE,
                error == null && kind != EventKind.FILE_DELETE));
      }
    }

    @Override
    public void created(@Nullable String path) {
      if (path != null) {
        keep(path, files.look(path, true, true)); // its identity too: the replay may report it
      }
    }

    // Everything else is recorded at the replay as before.

    @Override
    public void connect(@Nullable InetAddress remote, int port, @Nullable Throwable error) {}

    @Override
    public void connectChannel(
        @Nullable Object channel,
        @Nullable Object remote,
        boolean connected,
        @Nullable Throwable error) {}

    @Override
    public void finishConnect(
        @Nullable Object channel, boolean connected, @Nullable Throwable error) {}

    @Override
    public void datagram(@Nullable Object target, @Nullable Throwable error) {}

    @Override
    public void listen(
        @Nullable Object server, @Nullable Object requested, @Nullable Throwable error) {}

    @Override
    public void accept(@Nullable InetAddress remote, int localPort) {}

    @Override
    public void acceptSocket(java.net.@Nullable Socket socket) {}

    @Override
    public void acceptChannel(@Nullable Object channel) {}

    @Override
    public void dns(
        @Nullable String host, Object @Nullable [] addresses, @Nullable Throwable error) {}

    @Override
    public void reverseDns(
        @Nullable InetAddress address, @Nullable String name, @Nullable Throwable error) {}

    @Override
    public void jndiDns(@Nullable Object name) {}

    @Override
    public void listing(@Nullable String path, @Nullable Throwable error) {}

    @Override
    public void rename(@Nullable String from, @Nullable String to, @Nullable Throwable error) {}

    @Override
    public void process(
        String @Nullable [] argv, @Nullable String workingDir, @Nullable Throwable error) {}

    @Override
    public void spawnEnvironment(@Nullable Object environment) {}

    @Override
    public void nativeLoad(
        @Nullable String path, @Nullable Class<?> forClass, @Nullable Throwable error) {}

    @Override
    public void unix(EventKind kind, @Nullable Object target, @Nullable Throwable error) {}

    @Override
    public void httpRequest(@Nullable Object request) {}

    @Override
    public void eventLoopRequest(@Nullable Object target) {}

    @Override
    public void request(@Nullable Object request, boolean start) {}

    @Override
    public void requestRoute(@Nullable Object exchange) {}
  }
}
