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
  void redis_cluster_mode_takes_several_seed_uris_and_standalone_refuses_them() {
    Config cluster = Config.load(Map.of("DROPCAST_REDIS_MODE", "cluster",
        "DROPCAST_REDIS_URL", "redis://10.0.0.1:7000, redis://10.0.0.2:7000"));
    assertThat(cluster.get(Settings.REDIS_MODE)).isEqualTo("cluster");
    assertThat(cluster.get(Settings.REDIS_URL)).isEqualTo("redis://10.0.0.1:7000, redis://10.0.0.2:7000");
    assertThat(Config.load(Map.of()).get(Settings.REDIS_MODE)).isEqualTo("standalone");

    assertThatThrownBy(() -> Config.load(Map.of("DROPCAST_REDIS_URL", "redis://10.0.0.1:7000,redis://10.0.0.2:7000")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("'redis.url'").hasMessageContaining("redis.mode=cluster");
    assertThatThrownBy(() -> Config.load(Map.of("DROPCAST_REDIS_MODE", "sentinel")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("'redis.mode'");
    assertThatThrownBy(() -> Config.load(Map.of("DROPCAST_REDIS_MODE", "cluster", "DROPCAST_REDIS_URL", "redis://a:1,,redis://b:2")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("'redis.url'").hasMessageContaining("empty Redis URI");
    assertThatThrownBy(() -> Config.load(Map.of("DROPCAST_REDIS_URL", "http://nope")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("'redis.url'");
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
