package dev.tripline.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.DatagramPacket;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Netty's native epoll transport (what Reactor Netty, WebClient and WebFlux use on Linux), once
 * warm: every iteration is a repeat of the library hooks' steady state — datagrams to the same peer
 * (StatsD-style metrics), one at a time or batched into one sendmmsg, and a Bootstrap connect to
 * the same server (hand-off hook plus connect hook). {@link AgentOverhead} runs each with and
 * without the agent, side by side.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class NettyBenchmarks {
  private EventLoopGroup group;
  private Channel udp;
  private DatagramSocket sink;
  private InetSocketAddress sinkAddress;
  private ServerSocket server;
  private Bootstrap client;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    if (!Epoll.isAvailable()) {
      throw new IllegalStateException("no epoll here: " + Epoll.unavailabilityCause());
    }
    group = new EpollEventLoopGroup(1);
    sink = new DatagramSocket(0, InetAddress.getLoopbackAddress());
    sinkAddress = new InetSocketAddress(InetAddress.getLoopbackAddress(), sink.getLocalPort());
    udp =
        new Bootstrap()
            .group(group)
            .channel(EpollDatagramChannel.class)
            .handler(new ChannelInboundHandlerAdapter())
            .bind(0)
            .sync()
            .channel();
    server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
    Thread acceptor =
        new Thread(
            () -> {
              while (!server.isClosed()) {
                try (Socket s = server.accept()) {
                  s.getInputStream()
                      .read(); // until the client closes (a reset: no TIME_WAIT pile-up)
                } catch (IOException e) {
                  if (server.isClosed()) {
                    return;
                  }
                }
              }
            },
            "bench-acceptor");
    acceptor.setDaemon(true);
    acceptor.start();
    client =
        new Bootstrap()
            .group(group)
            .channel(EpollSocketChannel.class)
            .option(ChannelOption.SO_LINGER, 0)
            .handler(new Idle());
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    udp.close().sync();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    sink.close();
    server.close();
  }

  /** A handler that does nothing, shared by every connection of the loop. */
  @ChannelHandler.Sharable
  static final class Idle extends ChannelInboundHandlerAdapter {}

  /**
   * 32 datagrams of 64 bytes to the same peer, flushed together: Netty sends them with one
   * sendmmsg.
   */
  @Benchmark
  public boolean epollDatagramBatch() throws InterruptedException {
    for (int i = 1; i < 32; i++) {
      udp.write(new DatagramPacket(Unpooled.wrappedBuffer(new byte[64]), sinkAddress));
    }
    return udp.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(new byte[64]), sinkAddress))
        .sync()
        .isSuccess();
  }

  /**
   * 32 datagrams of 64 bytes to the same peer, each flushed on its own: 32 sendto calls, one wait.
   */
  @Benchmark
  public boolean epollDatagramSend() throws InterruptedException {
    for (int i = 1; i < 32; i++) {
      udp.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(new byte[64]), sinkAddress));
    }
    return udp.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(new byte[64]), sinkAddress))
        .sync()
        .isSuccess();
  }

  /**
   * The same 32 datagrams sent by a task on the event loop itself: one hop per op, the sends back
   * to back on the loop's thread — the CPU the hooks add, without the hand-over noise of the loop
   * above.
   */
  @Benchmark
  public boolean epollDatagramSendOnLoop() throws Exception {
    return udp.eventLoop()
        .submit(
            () -> {
              for (int i = 0; i < 32; i++) {
                udp.writeAndFlush(
                    new DatagramPacket(Unpooled.wrappedBuffer(new byte[64]), sinkAddress));
              }
              return true;
            })
        .get();
  }

  /** A Bootstrap connect to the same server and close, through the epoll transport. */
  @Benchmark
  public boolean epollConnect() throws InterruptedException {
    Channel ch = client.connect(server.getLocalSocketAddress()).sync().channel();
    return ch.close().sync().isSuccess();
  }
}
