package io.dropcast.server.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What the Redis test extensions share: free loopback ports, one-off RESP commands over a plain
 * socket (so a test can ask a server something without a client library), and stopping processes
 * and deleting their temporary directory. Blocking: call from test threads only.
 */
public final class RedisProcesses {
  private RedisProcesses() {
  }

  /** Free ports whose numbers differ (each bound and released; a race with other processes is unlikely). */
  public static List<Integer> freePorts(int count) throws IOException {
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      for (int i = 0; i < count; i++) {
        ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        socket.setReuseAddress(true);
        sockets.add(socket);
      }
      return sockets.stream().map(ServerSocket::getLocalPort).toList();
    } finally {
      for (ServerSocket s : sockets) {
        s.close();
      }
    }
  }

  /**
   * Sends one command to the server on {@code 127.0.0.1:port}.
   *
   * @return the reply as text: simple, integer and bulk strings as they are, error replies as their
   *     text, a nil bulk string as "", an array as its elements (flattened) one per line; null when
   *     the server cannot be reached or does not answer within 2 s
   */
  public static String tryCommand(int port, String... args) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
      socket.setSoTimeout(2000);
      OutputStream out = socket.getOutputStream();
      StringBuilder request = new StringBuilder("*").append(args.length).append("\r\n");
      for (String arg : args) {
        byte[] bytes = arg.getBytes(StandardCharsets.UTF_8);
        request.append('$').append(bytes.length).append("\r\n").append(arg).append("\r\n");
      }
      out.write(request.toString().getBytes(StandardCharsets.UTF_8));
      out.flush();
      return readReply(new BufferedInputStream(socket.getInputStream()));
    } catch (IOException e) {
      return null;
    }
  }

  /** Like {@link #tryCommand} but fails when the server does not answer. */
  public static String command(int port, String... args) {
    String reply = tryCommand(port, args);
    if (reply == null) {
      throw new IllegalStateException("redis on port " + port + " did not answer " + String.join(" ", args));
    }
    return reply;
  }

  private static String readReply(InputStream in) throws IOException {
    int type = in.read();
    String line = readLine(in);
    return switch (type) {
      case '+', ':', '-' -> line;
      case '$' -> {
        int length = Integer.parseInt(line);
        yield length < 0 ? "" : new String(readBulk(in, length), StandardCharsets.UTF_8);
      }
      case '*' -> {
        int count = Integer.parseInt(line);
        List<String> items = new ArrayList<>();
        for (int i = 0; i < count; i++) {
          items.add(readReply(in));
        }
        yield String.join("\n", items);
      }
      default -> throw new IOException("unexpected reply type " + type);
    };
  }

  private static byte[] readBulk(InputStream in, int length) throws IOException {
    byte[] body = in.readNBytes(length);
    in.read(); // '\r'
    in.read(); // '\n'
    return body;
  }

  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) != -1 && b != '\r') {
      line.write(b);
    }
    in.read(); // '\n'
    return line.toString(StandardCharsets.UTF_8);
  }

  /**
   * Waits until the server on {@code port} answers {@code command} with a reply containing
   * {@code contains}, polling every 50 ms.
   *
   * @param process the server's process, whose exit ends the wait at once; may be null
   * @param deadline {@link System#currentTimeMillis()} after which the wait fails
   * @throws IllegalStateException when the process exited or the deadline passed (with the last reply)
   */
  public static void awaitReply(Process process, int port, String contains, long deadline, String... command)
      throws InterruptedException {
    while (true) {
      String reply = tryCommand(port, command);
      if (reply != null && reply.contains(contains)) {
        return;
      }
      if (process != null && !process.isAlive()) {
        throw new IllegalStateException("redis-server on port " + port + " exited (exit " + process.exitValue() + ")");
      }
      if (System.currentTimeMillis() > deadline) {
        throw new IllegalStateException("port " + port + " never answered " + String.join(" ", command)
            + " with '" + contains + "' (last reply: " + reply + ")");
      }
      Thread.sleep(50);
    }
  }

  /** Stops the processes (SIGTERM, then SIGKILL after 10 s) and waits for them to exit. */
  public static void stopAll(List<Process> processes) {
    for (Process p : processes) {
      p.destroy();
    }
    for (Process p : processes) {
      try {
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
          p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Deletes a temporary directory and everything in it (best effort). */
  public static void deleteTree(Path dir) {
    if (dir == null) {
      return;
    }
    try (var files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // best effort: a temporary directory
    }
  }

  /** @return the last lines of every {@code *.log} file in {@code dir}, for failure messages */
  public static String logTails(Path dir, int lines) {
    if (dir == null) {
      return "";
    }
    StringBuilder text = new StringBuilder();
    try (var files = Files.list(dir)) {
      for (Path log : files.filter(p -> p.toString().endsWith(".log")).sorted().toList()) {
        List<String> all = Files.readAllLines(log);
        text.append("--- ").append(log.getFileName()).append('\n')
            .append(String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()))).append('\n');
      }
    } catch (IOException e) {
      text.append("(logs unreadable: ").append(e.getMessage()).append(')');
    }
    return text.toString();
  }
}
