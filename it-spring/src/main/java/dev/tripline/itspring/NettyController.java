package dev.tripline.itspring;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.SocketChannel;
import jakarta.annotation.PreDestroy;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Netty's native epoll transport used directly, as servers and clients built on Netty do (its
 * sockets are file descriptors driven through JNI, not the JDK's socket classes): {@code
 * /netty/listen} starts an epoll server that accepts and closes connections and answers its port,
 * {@code /netty/udp?port=} sends one datagram to 127.0.0.1:port from an epoll datagram channel,
 * {@code /netty/connect?port=} connects to localhost:port from an epoll socket channel (Netty's
 * {@code Bootstrap}, as Lettuce and other Netty clients do) and closes.
 */
@RestController
public class NettyController {
  private final EventLoopGroup group = Epoll.isAvailable() ? new EpollEventLoopGroup(1) : null;

  @GetMapping("/netty/listen")
  public String listen() throws InterruptedException {
    Channel server =
        new ServerBootstrap()
            .group(epoll())
            .channel(EpollServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.pipeline()
                        .addLast(
                            new ChannelInboundHandlerAdapter() {
                              @Override
                              public void channelActive(ChannelHandlerContext ctx) {
                                var unused = ctx.close(); // the test needs the accept only
                              }
                            });
                  }
                })
            .bind(new InetSocketAddress("127.0.0.1", 0))
            .sync()
            .channel();
    return Integer.toString(((InetSocketAddress) server.localAddress()).getPort());
  }

  @GetMapping("/netty/udp")
  public String udp(@RequestParam("port") int port) throws InterruptedException {
    Channel ch =
        new Bootstrap()
            .group(epoll())
            .channel(EpollDatagramChannel.class)
            .handler(new ChannelInboundHandlerAdapter())
            .bind(0)
            .sync()
            .channel();
    try {
      ch.writeAndFlush(
              new DatagramPacket(
                  Unpooled.copiedBuffer("ping", StandardCharsets.UTF_8),
                  new InetSocketAddress("127.0.0.1", port)))
          .sync();
    } finally {
      ch.close().sync();
    }
    return "sent";
  }

  @GetMapping("/netty/connect")
  public String connect(@RequestParam("port") int port) throws InterruptedException {
    Channel ch =
        new Bootstrap()
            .group(epoll())
            .channel(EpollSocketChannel.class)
            .handler(new ChannelInboundHandlerAdapter())
            .connect("localhost", port)
            .sync()
            .channel();
    ch.close().sync();
    return "connected";
  }

  private EventLoopGroup epoll() {
    if (group == null) {
      throw new IllegalStateException("no epoll on this machine: " + Epoll.unavailabilityCause());
    }
    return group;
  }

  @PreDestroy
  void stop() {
    if (group != null) {
      var unused = group.shutdownGracefully(); // Spring's shutdown does not wait for it
    }
  }
}
