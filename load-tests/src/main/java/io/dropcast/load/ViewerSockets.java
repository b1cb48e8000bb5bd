package io.dropcast.load;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Many read-mostly WebSocket viewers on a bare Netty client, for scenarios whose viewers receive far
 * more frames than one generator core could decode with a full WebSocket stack.
 *
 * <p>Each connection does the HTTP upgrade itself, sends one text message once open (e.g. a join),
 * then walks the server's frames in the receive buffer by their headers: no frame object, no copy,
 * no JSON. Every complete text frame is handed to a {@link FrameSink} as a slice of the read buffer
 * (index + length), which decides cheaply what it is. Pings are answered; a close frame closes.
 *
 * <p>Threading: all connections live on one event loop thread of their own (epoll when Netty's
 * native transport loads, else NIO); the sink runs on it and must not block. Connects are throttled
 * to a bounded number in flight. {@link #close()} from any thread.
 */
public final class ViewerSockets implements AutoCloseable {
  /** Receives text frames on the viewers' event loop. */
  @FunctionalInterface
  public interface FrameSink {
    /**
     * @param viewer connection index
     * @param buf the read buffer; the payload is {@code [from, from + length)}, valid only during the call
     */
    void onText(int viewer, ByteBuf buf, int from, int length);
  }

  private static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";
  private final EventLoopGroup group;
  private final Class<? extends SocketChannel> channelType;
  private final String host;
  private final List<String> sourceAddresses;
  private final List<Channel> channels = new CopyOnWriteArrayList<>();

  /**
   * @param host the server's address
   * @param sourceAddresses the generator's source addresses, used in turn
   */
  public ViewerSockets(String host, List<String> sourceAddresses) {
    boolean epoll = Epoll.isAvailable();
    IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    this.group = new MultiThreadIoEventLoopGroup(1, io);
    this.channelType = epoll ? EpollSocketChannel.class : NioSocketChannel.class;
    this.host = host;
    this.sourceAddresses = sourceAddresses;
  }

  /** @return "epoll" or "nio" */
  public String transport() {
    return channelType == EpollSocketChannel.class ? "epoll" : "nio";
  }

  /**
   * Opens {@code count} connections to {@code ws://host:port/ws} (guests), at most {@code inFlight}
   * connecting at once; each sends {@code firstMessage} once upgraded.
   *
   * @return completes when all are upgraded, failing on the first error
   */
  public CompletableFuture<Void> open(int port, int count, int inFlight, String firstMessage, FrameSink sink) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    AtomicInteger next = new AtomicInteger();
    AtomicInteger finished = new AtomicInteger();
    byte[] request = ("GET /ws HTTP/1.1\r\nHost: " + host + ":" + port + "\r\nUpgrade: websocket\r\n"
        + "Connection: Upgrade\r\nSec-WebSocket-Key: " + KEY + "\r\nSec-WebSocket-Version: 13\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII);
    byte[] first = maskedText(firstMessage);
    Runnable[] launch = new Runnable[1];
    launch[0] = () -> {
      int i = next.getAndIncrement();
      if (i >= count || done.isDone()) {
        return;
      }
      CompletableFuture<Void> upgraded = new CompletableFuture<>();
      upgraded.whenComplete((v, e) -> {
        if (e != null) {
          done.completeExceptionally(e);
        } else if (finished.incrementAndGet() == count) {
          done.complete(null);
        } else {
          launch[0].run();
        }
      });
      Bootstrap b = new Bootstrap().group(group).channel(channelType)
          .option(ChannelOption.TCP_NODELAY, true)
          .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 20_000)
          .handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
              ch.pipeline().addLast(new Reader(i, sink, first, upgraded));
            }
          });
      String source = sourceAddresses.get(i % sourceAddresses.size());
      ChannelFuture f = b.connect(new InetSocketAddress(host, port), new InetSocketAddress(source, 0));
      f.addListener(r -> {
        if (r.isSuccess()) {
          channels.add(f.channel());
          f.channel().writeAndFlush(Unpooled.wrappedBuffer(request));
        } else {
          upgraded.completeExceptionally(r.cause());
        }
      });
    };
    for (int k = 0; k < Math.min(inFlight, count); k++) {
      launch[0].run();
    }
    return done;
  }

  /** @return open connections */
  public int size() {
    return channels.size();
  }

  @Override
  public void close() {
    for (Channel c : channels) {
      c.close();
    }
    group.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
  }

  /** A client text frame (masked with a zero key: the payload is sent as is). */
  static byte[] maskedText(String text) {
    byte[] payload = text.getBytes(StandardCharsets.UTF_8);
    int n = payload.length;
    int header = n < 126 ? 2 : 4;
    byte[] frame = new byte[header + 4 + n];
    frame[0] = (byte) 0x81;
    if (n < 126) {
      frame[1] = (byte) (0x80 | n);
    } else if (n < 65536) {
      frame[1] = (byte) (0x80 | 126);
      frame[2] = (byte) (n >>> 8);
      frame[3] = (byte) n;
    } else {
      throw new IllegalArgumentException("first message too long");
    }
    System.arraycopy(payload, 0, frame, header + 4, n);
    return frame;
  }

  /**
   * One connection's reader: the upgrade response, then frames. Cumulation (bytes of a frame split
   * across reads) is ByteToMessageDecoder's; a complete frame is never copied.
   */
  static final class Reader extends ByteToMessageDecoder {
    private final int viewer;
    private final FrameSink sink;
    private final byte[] first;
    private final CompletableFuture<Void> upgraded;
    private boolean open;

    Reader(int viewer, FrameSink sink, byte[] first, CompletableFuture<Void> upgraded) {
      this.viewer = viewer;
      this.sink = sink;
      this.first = first;
      this.upgraded = upgraded;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
      if (!open) {
        int end = endOfHeaders(in);
        if (end < 0) {
          if (in.readableBytes() > 16 * 1024) {
            fail(ctx, "upgrade response too long");
          }
          return;
        }
        String status = in.toString(in.readerIndex(), Math.min(12, end - in.readerIndex()), StandardCharsets.US_ASCII);
        if (!status.startsWith("HTTP/1.1 101")) {
          fail(ctx, "upgrade refused: " + in.toString(in.readerIndex(), end - in.readerIndex(), StandardCharsets.US_ASCII));
          return;
        }
        in.readerIndex(end);
        open = true;
        ctx.writeAndFlush(Unpooled.wrappedBuffer(first));
        upgraded.complete(null);
      }
      int r = in.readerIndex();
      int w = in.writerIndex();
      while (w - r >= 2) {
        int b0 = in.getByte(r) & 0xff;
        int b1 = in.getByte(r + 1) & 0x7f; // server frames are never masked
        int header = 2;
        long length = b1;
        if (b1 == 126) {
          if (w - r < 4) {
            break;
          }
          length = in.getUnsignedShort(r + 2);
          header = 4;
        } else if (b1 == 127) {
          if (w - r < 10) {
            break;
          }
          length = in.getLong(r + 2);
          header = 10;
        }
        if (length > Integer.MAX_VALUE - header || w - r < header + length) {
          break;
        }
        int payload = r + header;
        int opcode = b0 & 0x0f;
        if (opcode == 1) {
          sink.onText(viewer, in, payload, (int) length);
        } else if (opcode == 9) {
          ByteBuf pong = ctx.alloc().buffer(6 + (int) length);
          pong.writeByte(0x8a).writeByte(0x80 | (int) length).writeInt(0).writeBytes(in, payload, (int) length);
          ctx.writeAndFlush(pong);
        } else if (opcode == 8) {
          ctx.close();
        }
        r = payload + (int) length;
      }
      in.readerIndex(r);
    }

    private void fail(ChannelHandlerContext ctx, String why) {
      upgraded.completeExceptionally(new IllegalStateException(why));
      ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
      upgraded.completeExceptionally(new IllegalStateException("connection closed before the upgrade"));
      super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      upgraded.completeExceptionally(cause);
      ctx.close();
    }

    /** @return the index just after the upgrade response's blank line, or -1 */
    private static int endOfHeaders(ByteBuf in) {
      for (int i = in.readerIndex(); i + 3 < in.writerIndex(); i++) {
        if (in.getByte(i) == '\r' && in.getByte(i + 1) == '\n' && in.getByte(i + 2) == '\r' && in.getByte(i + 3) == '\n') {
          return i + 4;
        }
      }
      return -1;
    }
  }
}
