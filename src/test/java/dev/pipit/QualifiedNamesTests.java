package dev.pipit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * No inline fully-qualified class names in Java code where an import would do: every source under
 * src/main/java, src/test/java and src/bench/java is scanned (code only: comments, javadoc, string
 * literals, import and package lines are not). The one exception is a true clash: a qualified name
 * whose simple name the same file also uses for another class (imported, declared in the file, in
 * its own package, or written qualified from another package), where one of the two must stay
 * qualified.
 */
class QualifiedNamesTests {

  private static final List<Path> ROOTS =
      List.of(Path.of("src/main/java"), Path.of("src/test/java"), Path.of("src/bench/java"));

  // A root package of the JDK or a library, then lower-case packages, then a capitalised class.
  private static final Pattern QUALIFIED =
      Pattern.compile(
          "(?<![\\w.])(?:java|javax|jakarta|jdk|org|com|ch|ai\\.djl|dev\\.pipit|picocli"
              + "|tools\\.jackson)\\.(?:[a-z_][a-z0-9_]*\\.)*([A-Z]\\w*)");

  // Text blocks, strings, characters and comments; replaced by spaces, newlines kept.
  private static final Pattern NOT_CODE =
      Pattern.compile(
          "\"\"\"[\\s\\S]*?\"\"\"|\"(?:\\\\.|[^\"\\\\\\n])*\"|'(?:\\\\.|[^'\\\\\\n])*'"
              + "|/\\*[\\s\\S]*?\\*/|//[^\\n]*");

  private static final Pattern IMPORT = Pattern.compile("(?m)^import\\s+([\\w.]+)\\s*;");
  private static final Pattern DECLARED =
      Pattern.compile("\\b(?:class|interface|record|enum)\\s+([A-Z]\\w*)");
  private static final Pattern PACKAGE = Pattern.compile("(?m)^package\\s+([\\w.]+)\\s*;");

  @Test
  void sourcesImportInsteadOfQualifying() throws IOException {
    List<String> offenders = new ArrayList<>();
    for (Path root : ROOTS) {
      if (!Files.isDirectory(root)) {
        continue;
      }
      try (Stream<Path> files = Files.walk(root)) {
        files
            .filter(f -> f.toString().endsWith(".java"))
            .sorted()
            .forEach(
                f -> {
                  try {
                    Set<String> siblings = siblingTypes(f);
                    for (String hit : offences(Files.readString(f), siblings)) {
                      offenders.add(f + ": " + hit);
                    }
                  } catch (IOException e) {
                    throw new UncheckedIOException(e);
                  }
                });
      }
    }
    assertThat(offenders).as("qualified names where an import would do").isEmpty();
  }

  @Test
  void theScannerFindsCodeAndSkipsCommentsStringsImportsAndLinks() {
    String source =
        """
        package dev.pipit.demo;

        import java.util.List;

        /** See {@link java.util.Map} and java.time.Instant. */
        class Demo {
          // java.util.Set in a comment
          String s = "org.slf4j.Logger";
          java.time.Instant now = java.time.Instant.now();
          @org.junit.jupiter.api.Test void t() {}
          List<dev.pipit.index.Code> codes;
        }
        """;
    assertThat(offences(source, Set.of()))
        .containsExactly(
            "line 9: java.time.Instant",
            "line 9: java.time.Instant",
            "line 10: org.junit.jupiter.api.Test",
            "line 11: dev.pipit.index.Code");
  }

  @Test
  void aTrueClashOfSimpleNamesMayStayQualified() {
    String imported =
        """
        package dev.pipit.train;

        import dev.pipit.train.data.ImageDecoder;

        class A {
          dev.pipit.encode.ImageDecoder serving;
          ImageDecoder training;
        }
        """;
    String twoQualified =
        """
        package dev.pipit.x;

        class B {
          java.util.List<String> a;
          java.awt.List b;
        }
        """;
    String samePackage =
        """
        package dev.pipit.train;

        class C {
          dev.pipit.encode.Preprocessing p;
        }
        """;
    assertThat(offences(imported, Set.of())).isEmpty();
    assertThat(offences(twoQualified, Set.of())).isEmpty();
    assertThat(offences(samePackage, Set.of("Preprocessing"))).isEmpty();
    assertThat(offences(samePackage, Set.of()))
        .containsExactly("line 4: dev.pipit.encode.Preprocessing");
  }

  /** The types of the file's own package, by simple name (the other files of its directory). */
  private static Set<String> siblingTypes(Path file) throws IOException {
    Set<String> names = new HashSet<>();
    try (Stream<Path> files = Files.list(file.getParent())) {
      files
          .map(f -> f.getFileName().toString())
          .filter(n -> n.endsWith(".java"))
          .forEach(n -> names.add(n.substring(0, n.length() - ".java".length())));
    }
    return names;
  }

  /** {@code line N: qualified.Name} for every qualified name in code that an import would do. */
  static List<String> offences(String source, Set<String> siblingTypes) {
    String code = mask(source);
    Matcher pkg = PACKAGE.matcher(source);
    String ownPackage = pkg.find() ? pkg.group(1) : "";
    Set<String> imported = new HashSet<>();
    Matcher imports = IMPORT.matcher(source);
    while (imports.find()) {
      imported.add(imports.group(1));
    }
    Set<String> declared = new HashSet<>();
    Matcher types = DECLARED.matcher(code);
    while (types.find()) {
      declared.add(types.group(1));
    }
    List<String[]> hits = new ArrayList<>();
    String[] lines = code.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (line.startsWith("import ") || line.startsWith("package ")) {
        continue;
      }
      Matcher m = QUALIFIED.matcher(lines[i]);
      while (m.find()) {
        hits.add(new String[] {"line " + (i + 1), m.group(), m.group(1)});
      }
    }
    List<String> offences = new ArrayList<>();
    for (String[] hit : hits) {
      String name = hit[1];
      String simple = hit[2];
      String pkgOfName = name.substring(0, name.length() - simple.length() - 1);
      boolean clash =
          declared.contains(simple)
              || (siblingTypes.contains(simple) && !pkgOfName.equals(ownPackage))
              || imported.stream().anyMatch(im -> im.endsWith("." + simple) && !im.equals(name))
              || hits.stream().anyMatch(h -> h[2].equals(simple) && !h[1].equals(name));
      if (!clash) {
        offences.add(hit[0] + ": " + name);
      }
    }
    return offences;
  }

  private static String mask(String source) {
    Matcher m = NOT_CODE.matcher(source);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(out, Matcher.quoteReplacement(m.group().replaceAll("[^\\n]", " ")));
    }
    m.appendTail(out);
    return out.toString();
  }
}
