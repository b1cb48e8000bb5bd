package io.dropcast.load;

import java.util.LinkedHashMap;
import java.util.Map;

/** {@code key=value} command-line parameters with typed defaults. */
public final class Params {
  private final Map<String, String> values = new LinkedHashMap<>();

  public static Params parse(String[] args, int from) {
    Params p = new Params();
    for (int i = from; i < args.length; i++) {
      int eq = args[i].indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("parameters are key=value, got '" + args[i] + "'");
      }
      p.values.put(args[i].substring(0, eq), args[i].substring(eq + 1));
    }
    return p;
  }

  public int integer(String key, int def) {
    return values.containsKey(key) ? Integer.parseInt(values.get(key)) : def;
  }

  public double decimal(String key, double def) {
    return values.containsKey(key) ? Double.parseDouble(values.get(key)) : def;
  }

  public String text(String key, String def) {
    return values.getOrDefault(key, def);
  }

  /** @return a copy with defaults filled in for keys not given */
  public Params withDefaults(Map<String, String> defaults) {
    Params p = new Params();
    p.values.putAll(defaults);
    p.values.putAll(values);
    return p;
  }

  public Map<String, String> asMap() {
    return values;
  }
}
