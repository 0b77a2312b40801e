package dev.tripline.agent.record;

import dev.tripline.agent.callsite.CodeLocations;
import dev.tripline.config.redact.Redactor;
import dev.tripline.model.CodeTarget;
import dev.tripline.model.DnsTarget;
import dev.tripline.model.Event;
import dev.tripline.model.EventKind;
import dev.tripline.model.FileTarget;
import dev.tripline.model.NetworkTarget;
import dev.tripline.model.ProcessTarget;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.NullMarked;
import org.jspecify.annotations.Nullable;

/**
 * A target seen for the first time, described as the wire carries it (an {@code Event} with its
 * kind's target filled in, capped and redacted), or judged out by the filters. Runs on the
 * application thread, for new targets only: it may pay for a {@code realpath} or a {@code stat}.
 */
@NullMarked
final class EventDescriber {
  private final FileTargets files;
  private final Filters filters;
  private final Caps caps;
  private final SameFiles sameFiles;
  private final CodeOrigins codeOrigins = new CodeOrigins();
  private final Executables executables = new Executables();

  EventDescriber(FileTargets files, Filters filters, Caps caps, SameFiles sameFiles) {
    this.files = files;
    this.filters = filters;
    this.caps = caps;
    this.sameFiles = sameFiles;
  }

  /**
   * The target as the wire describes it, or null when filtered out. Every kind is a case of its own
   * (no {@code default}): Error Prone's MissingCasesInEnumSwitch fails the build for a kind added
   * to the proto and not described here.
   */
  Event.@Nullable Builder describe(
      EventKind kind, Object target, @Nullable Object extra, int port) {
    Event.Builder e = Event.newBuilder().setKind(kind);
    switch (kind) {
      case NET_CONNECT:
      case NET_ACCEPT:
      case NET_LISTEN:
        return target instanceof InetAddress
            ? network(e, (InetAddress) target, port)
            : unixSocket(e, (String) target);
      case DATAGRAM:
        {
          InetSocketAddress sa = (InetSocketAddress) target;
          String ip = sa.getAddress() == null ? "" : sa.getAddress().getHostAddress();
          if (filters.excludedHost(sa.getHostString(), ip)) {
            return null;
          }
          return e.setNetwork(
              NetworkTarget.newBuilder()
                  .setHost(caps.cap(sa.getHostString()))
                  .setIp(ip)
                  .setPort(sa.getPort())
                  .setProtocol("udp"));
        }
      case DNS_LOOKUP:
        {
          if (target instanceof InetAddress) {
            InetAddress address = (InetAddress) target;
            return filters.excludedHost("", address.getHostAddress())
                ? null
                : e.setDns(DnsQueries.reverse(address, (String) extra, caps));
          }
          String host = (String) target;
          if (host.isEmpty() || Filters.isIpLiteral(host) || filters.excludedHost(host, "")) {
            return null;
          }
          DnsTarget.Builder d = DnsTarget.newBuilder().setQuery(caps.cap(host));
          if (extra instanceof Object[]) {
            for (Object o : (Object[]) extra) {
              if (o instanceof InetAddress && d.getResolvedIpsCount() < Caps.MAX_ADDRESSES) {
                d.addResolvedIps(((InetAddress) o).getHostAddress());
              }
            }
          }
          return e.setDns(d);
        }
      case FILE_READ:
      case FILE_WRITE:
      case FILE_DELETE:
        {
          FileTarget.Builder f = FileTarget.newBuilder();
          FileTargets.Sight sight =
              extra instanceof FileTargets.Sight ? (FileTargets.Sight) extra : null;
          String real =
              sight != null
                  ? file((String) target, sight.real, f)
                  : file((String) target, kind != EventKind.FILE_DELETE, f);
          if (extra == Listing.class) {
            f.setDirectory(true);
          }
          SameFiles.Inode opened = sight != null ? sight.opened : null;
          if (opened != null) {
            f.setLinks(opened.links);
            String same = sameFiles.sameAs(opened, real);
            if (same != null) f.setSameFileAs(same);
          }
          boolean linked = opened != null && opened.links > 1;
          return !linked && filters.excludedPath(real, kind == EventKind.FILE_READ)
              ? null
              : e.setFile(f);
        }
      case FILE_RENAME:
        {
          FileTarget.Builder f = FileTarget.newBuilder();
          String from = file((String) target, false, f);
          String to = "";
          if (extra != null) {
            FileTarget.Builder t = FileTarget.newBuilder();
            to = file((String) extra, false, t);
            f.setNewPath(t.getPath()).setNewRealPath(t.getRealPath());
          }
          return filters.excludedPath(from, false) && filters.excludedPath(to, false)
              ? null
              : e.setFile(f);
        }
      case NATIVE_LOAD:
        {
          CodeTarget.Builder c = CodeTarget.newBuilder();
          String judged = codePath((String) target, c);
          if (filters.excludedPath(judged, false)) {
            return null; // the JDK's own libraries; the user's exclusions
          }
          c.setLoader(
              extra instanceof Class
                  ? caps.cap(CodeLocations.loaderName(((Class<?>) extra).getClassLoader()))
                  : "");
          return e.setCode(c.setWritableDir(CodeOrigins.writableDir(judged)));
        }
      case CODE_ORIGIN:
        {
          CodeTarget.Builder c = CodeTarget.newBuilder().setOrigin("jar");
          String judged = codePath((String) target, c);
          return codeOrigins.launchedWith(judged) || filters.excludedPath(judged, false)
              ? null
              : e.setCode(c);
        }
      case PROCESS_SPAWN:
        {
          String[] given = (String[]) target;
          List<String> argv = caps.argv(Redactor.argv(given)); // redacted whole, then cut
          ProcessTarget.Builder p =
              ProcessTarget.newBuilder()
                  .setExecutable(argv.isEmpty() ? "" : argv.get(0))
                  .addAllArgv(argv);
          SpawnEnvironment.Spawn spawn =
              extra instanceof SpawnEnvironment.Spawn ? (SpawnEnvironment.Spawn) extra : null;
          String workingDir = spawn != null ? spawn.workingDir : (String) extra;
          if (workingDir != null) {
            p.setWorkingDir(caps.cap(workingDir));
          }
          if (given.length > 0 && given[0] != null) {
            executables.describe(given[0], workingDir, p, caps);
          }
          if (spawn != null) {
            p.addAllEnv(caps.argv(Redactor.environment(Arrays.asList(spawn.env))));
          }
          return e.setProcess(p);
        }
      case EVENT_KIND_UNSPECIFIED:
      case UNRECOGNIZED:
        break;
    }
    // a group reporting a kind that has no target to describe
    throw new IllegalArgumentException("no description for " + kind);
  }

  private Event.@Nullable Builder network(Event.Builder e, InetAddress a, int port) {
    String shown = a.toString();
    String host = Filters.hostAsGiven(shown);
    String ip = Filters.ipOf(shown);
    if (filters.excludedHost(host, ip)) {
      return null;
    }
    return network(e, host, ip, port);
  }

  private Event.Builder network(Event.Builder e, @Nullable String host, String ip, int port) {
    NetworkTarget.Builder n = NetworkTarget.newBuilder().setIp(ip).setPort(port).setProtocol("tcp");
    if (host != null) {
      n.setHost(caps.cap(host));
    }
    return e.setNetwork(n);
  }

  /** Whether a host can be excluded (then a peer is described at once, to be judged). */
  boolean filtersHosts() {
    return filters.filtersHosts();
  }

  /**
   * A peer's target, described on first ask as {@link #describe} would have at once: from its
   * address as the application thread read it ({@code InetAddress.toString}, "host/ip") and its
   * port. Only when no filter can exclude it ({@link #filtersHosts}).
   */
  FirstSight.Target later(EventKind kind, String shown, int port) {
    return new FirstSight.Target(
        () ->
            network(
                    Event.newBuilder().setKind(kind),
                    Filters.hostAsGiven(shown),
                    Filters.ipOf(shown),
                    port)
                .build());
  }

  /**
   * The socket file is what the kernel connects to: report its real path (a link such as /var/run
   * -> /run, or a symlink an attacker made to docker.sock, is resolved), else the normalised one,
   * and the sensitive socket a hard link is the same file as.
   */
  private Event.@Nullable Builder unixSocket(Event.Builder e, String given) {
    String real = files.real(given, true);
    String path = real != null ? real : files.normalise(given);
    // A hard link to a sensitive socket is that socket (one stat, first sight only).
    SameFiles.Inode socket = SameFiles.of(path);
    String same = socket == null ? null : sameFiles.sameAs(socket, path);
    if (same == null && filters.excludedPath(path, false)) {
      return null;
    }
    NetworkTarget.Builder n =
        NetworkTarget.newBuilder().setProtocol("unix").setPath(caps.cap(path));
    if (same != null) {
      n.setSameFileAs(same);
    }
    return e.setNetwork(n);
  }

  /**
   * Fills path, requested_path and real_path of a file target; returns the path to judge it by (the
   * real one when known), so that neither {@code ..} nor a symlink leads out of an excluded
   * directory unseen.
   */
  private String file(String given, boolean followLast, FileTarget.Builder f) {
    return file(given, files.real(given, followLast), f);
  }

  /** The same, with the real path found already. */
  private String file(String given, @Nullable String real, FileTarget.Builder f) {
    String path = files.normalise(given);
    f.setPath(caps.cap(path));
    if (!given.equals(path)) {
      f.setRequestedPath(caps.cap(given));
    }
    if (real != null && !real.equals(path)) {
      f.setRealPath(caps.cap(real));
    }
    return real != null ? real : path;
  }

  /** Fills path and real_path of a code target; returns the path to judge it by. */
  private String codePath(String given, CodeTarget.Builder c) {
    String path = files.normalise(given);
    String real = files.real(given, true);
    c.setPath(caps.cap(path));
    if (real != null && !real.equals(path)) {
      c.setRealPath(caps.cap(real));
    }
    return real != null ? real : path;
  }
}
