package io.dropcast.server.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code Main} in a real subprocess: invalid settings stop it at once with exit code 2, naming the key. */
class MainStartupTest {
  @TempDir
  Path workDir;

  record Result(int exitCode, String output) {}

  Result runMain(Map<String, String> env) throws IOException, InterruptedException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder builder = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        "io.dropcast.server.Main").directory(workDir.toFile()).redirectErrorStream(true);
    builder.environment().keySet().removeIf(name -> name.startsWith("DROPCAST_"));
    builder.environment().putAll(env);
    Process process = builder.start();
    process.getOutputStream().close();
    boolean exited = process.waitFor(30, TimeUnit.SECONDS);
    if (!exited) {
      process.destroyForcibly();
    }
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(exited).as("Main should exit at once; output:\n" + output).isTrue();
    return new Result(process.exitValue(), output);
  }

  @Test
  void invalid_port_fails_fast_with_exit_code_2_naming_the_key() throws Exception {
    Result result = runMain(Map.of("DROPCAST_PORT", "eighty"));
    assertThat(result.exitCode()).as(result.output()).isEqualTo(2);
    assertThat(result.output()).contains("configuration error").contains("'port'").contains("DROPCAST_PORT");
  }

  @Test
  void unknown_setting_fails_fast_with_exit_code_2_naming_the_variable() throws Exception {
    Result result = runMain(Map.of("DROPCAST_DEMOO", "true"));
    assertThat(result.exitCode()).as(result.output()).isEqualTo(2);
    assertThat(result.output()).contains("DROPCAST_DEMOO");
  }

  @Test
  void invalid_boolean_fails_fast_naming_the_key() throws Exception {
    Result result = runMain(Map.of("DROPCAST_DEMO", "maybe"));
    assertThat(result.exitCode()).as(result.output()).isEqualTo(2);
    assertThat(result.output()).contains("'demo'").contains("true or false");
  }
}
