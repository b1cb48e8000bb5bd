package io.dropcast.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigTest {

  @Test
  void environment_overrides_defaults() {
    Config config = Config.load(Map.of("DROPCAST_PORT", "9090", "DROPCAST_DEMO", "true"));
    assertThat(config.get(Settings.PORT)).isEqualTo(9090);
    assertThat(config.get(Settings.DEMO)).isTrue();
    assertThat(config.get(Settings.STORE)).isEqualTo("memory");
  }

  @Test
  void unknown_environment_variable_fails_naming_it() {
    assertThatThrownBy(() -> Config.load(Map.of("DROPCAST_PROT", "9090")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("DROPCAST_PROT");
  }

  @Test
  void invalid_value_fails_naming_the_key_and_source() {
    assertThatThrownBy(() -> Config.load(Map.of("DROPCAST_PORT", "eighty")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("'port'").hasMessageContaining("DROPCAST_PORT");
    assertThatThrownBy(() -> Config.load(Map.of("DROPCAST_STORE", "postgres")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("'store'");
  }

  @Test
  void unknown_key_in_file_fails_naming_the_key(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    Path file = dir.resolve("bad.properties");
    Files.writeString(file, "port=8081\nchat.max-lenght=10\n");
    assertThatThrownBy(() -> Config.load(Map.of("DROPCAST_CONFIG", file.toString())))
        .isInstanceOf(ConfigException.class).hasMessageContaining("chat.max-lenght");
  }

  @Test
  void default_file_documents_every_key_with_its_environment_variable() throws Exception {
    String file = Files.readString(Path.of("..", "config", "dropcast.properties"));
    for (Setting<?> setting : Settings.ALL) {
      assertThat(file).as("config file documents " + setting.key())
          .contains("#" + setting.key() + "=" + setting.defaultValue())
          .contains(setting.envName());
    }
  }

  @Test
  void default_file_loads_cleanly() {
    Config config = Config.load(Map.of("DROPCAST_CONFIG", Path.of("..", "config", "dropcast.properties").toString()));
    assertThat(config.get(Settings.PORT)).isEqualTo(8080);
  }
}
