package dev.tripline.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/** Median and spread of a handful of whole-process measurements, formatted as table cells. */
final class Stats {
  private final List<Double> values = new ArrayList<>();

  void add(double value) {
    if (value >= 0) { // -1: not available on this run
      values.add(value);
    }
  }

  boolean isEmpty() {
    return values.isEmpty();
  }

  int count() {
    return values.size();
  }

  double median() {
    return Forked.median(values);
  }

  double min() {
    return Collections.min(values);
  }

  double max() {
    return Collections.max(values);
  }

  /** "median (min–max)" with the given number of decimals, or "n/a". */
  String cell(int decimals) {
    if (values.isEmpty()) {
      return "n/a";
    }
    String f = "%." + decimals + "f";
    return String.format(Locale.ROOT, f + " (" + f + "–" + f + ")", median(), min(), max());
  }

  /** "×r" of this median to the base's median, or "n/a". */
  String ratioTo(Stats base) {
    if (values.isEmpty() || base == null || base.values.isEmpty() || base.median() <= 0) {
      return "n/a";
    }
    return String.format(Locale.ROOT, "×%.2f", median() / base.median());
  }
}
