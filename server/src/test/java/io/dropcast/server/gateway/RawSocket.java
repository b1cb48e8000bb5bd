package io.dropcast.server.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** A WebSocket spoken by hand over a plain TCP socket, for frames the JDK client will not send. */
public final class RawSocket {
  private RawSocket() {}

  /** Connects to {@code /ws}, completes the upgrade and returns the socket (10 s read timeout). */
  public static Socket open(int port) throws IOException {
    return open(port, 0);
  }

  /**
   * As {@link #open(int)} with a small TCP receive buffer (set before connecting; 0 keeps the
   * system default), so a client that stops reading pushes back on the server quickly.
   */
  public static Socket open(int port, int receiveBufferBytes) throws IOException {
    Socket socket = new Socket();
    if (receiveBufferBytes > 0) {
      socket.setReceiveBufferSize(receiveBufferBytes);
    }
    socket.connect(new java.net.InetSocketAddress("127.0.0.1", port), 5_000);
    socket.setSoTimeout(10_000);
    String key = Base64.getEncoder().encodeToString("0123456789abcdef".getBytes(StandardCharsets.US_ASCII));
    socket.getOutputStream().write(("GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
        + "Connection: Upgrade\r\nSec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII));
    DataInputStream in = new DataInputStream(socket.getInputStream());
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      head.append((char) in.readUnsignedByte());
    }
    assertThat(head.toString()).startsWith("HTTP/1.1 101");
    return socket;
  }

  /** Sends one masked frame (opcode 0 continuation, 1 text, 2 binary). */
  public static void sendFrame(Socket socket, boolean fin, int opcode, byte[] payload) throws IOException {
    writeFrame(socket.getOutputStream(), fin, opcode, payload);
    socket.getOutputStream().flush();
  }

  /** Sends several masked text frames in one write, so the server reads them together. */
  public static void sendTextsAtOnce(Socket socket, java.util.List<String> texts) throws IOException {
    java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
    for (String text : texts) {
      writeFrame(all, true, 1, text.getBytes(StandardCharsets.UTF_8));
    }
    socket.getOutputStream().write(all.toByteArray());
    socket.getOutputStream().flush();
  }

  private static void writeFrame(OutputStream out, boolean fin, int opcode, byte[] payload) throws IOException {
    out.write((fin ? 0x80 : 0) | opcode);
    int n = payload.length;
    if (n < 126) {
      out.write(0x80 | n);
    } else if (n < 65536) {
      out.write(0x80 | 126);
      out.write(n >>> 8);
      out.write(n & 0xFF);
    } else {
      out.write(0x80 | 127);
      for (int shift = 56; shift >= 0; shift -= 8) {
        out.write((int) ((long) n >>> shift) & 0xFF);
      }
    }
    byte[] mask = {1, 2, 3, 4};
    out.write(mask);
    byte[] masked = new byte[n];
    for (int i = 0; i < n; i++) {
      masked[i] = (byte) (payload[i] ^ mask[i % 4]);
    }
    out.write(masked);
  }

  /** @return {opcode, payload} of the next server frame */
  private static Object[] readFrame(Socket socket) throws IOException {
    DataInputStream in = new DataInputStream(socket.getInputStream());
    int opcode = in.readUnsignedByte() & 0x0F;
    long length = in.readUnsignedByte() & 0x7F;
    if (length == 126) {
      length = in.readUnsignedShort();
    } else if (length == 127) {
      length = in.readLong();
    }
    byte[] payload = new byte[(int) length];
    in.readFully(payload);
    return new Object[] {opcode, payload};
  }

  /** Skips frames until a close frame; @return {status code} */
  public static int[] readUntilClose(Socket socket) throws IOException {
    while (true) {
      Object[] frame = readFrame(socket);
      byte[] payload = (byte[]) frame[1];
      if ((int) frame[0] == 0x8) {
        return new int[] {payload.length < 2 ? 1005 : ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF)};
      }
    }
  }

  /** Skips frames until a text frame containing {@code marker}; @return its text */
  public static String readText(Socket socket, String marker) throws IOException {
    while (true) {
      Object[] frame = readFrame(socket);
      String text = new String((byte[]) frame[1], StandardCharsets.UTF_8);
      if ((int) frame[0] == 0x1 && text.contains(marker)) {
        return text;
      }
      assertThat((int) frame[0]).as("unexpected close: " + text).isNotEqualTo(0x8);
    }
  }
}
