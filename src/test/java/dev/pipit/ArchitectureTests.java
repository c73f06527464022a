package dev.pipit;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Holds the package dependency direction of STYLE.md: api → jobs → train/encode → model, index
 * alone.
 */
class ArchitectureTests {

  private static JavaClasses pipit;

  @BeforeAll
  static void importClasses() {
    pipit =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.pipit");
  }

  @Test
  void layersDependInOneDirection() {
    layeredArchitecture()
        .consideringOnlyDependenciesInLayers()
        .layer("cli")
        .definedBy("dev.pipit.cli..")
        .layer("api")
        .definedBy("dev.pipit.api..")
        .layer("jobs")
        .definedBy("dev.pipit.jobs..")
        .layer("gallery")
        .definedBy("dev.pipit.gallery..")
        .layer("train")
        .definedBy("dev.pipit.train..")
        .layer("encode")
        .definedBy("dev.pipit.encode..")
        .layer("model")
        .definedBy("dev.pipit.model..")
        .layer("index")
        .definedBy("dev.pipit.index..")
        .layer("metrics")
        .definedBy("dev.pipit.metrics..")
        .layer("config")
        .definedBy("dev.pipit.config..")
        .whereLayer("cli")
        .mayNotBeAccessedByAnyLayer()
        .whereLayer("api")
        .mayOnlyBeAccessedByLayers("config")
        .whereLayer("metrics")
        .mayOnlyBeAccessedByLayers("config")
        .whereLayer("jobs")
        .mayOnlyBeAccessedByLayers("api", "metrics", "config")
        .whereLayer("gallery")
        .mayOnlyBeAccessedByLayers("api", "jobs", "metrics", "config")
        .whereLayer("train")
        .mayOnlyBeAccessedByLayers("jobs", "gallery", "api", "cli", "config")
        .whereLayer("encode")
        .mayOnlyBeAccessedByLayers("train", "jobs", "gallery", "api", "cli", "metrics", "config")
        .whereLayer("model")
        .mayOnlyBeAccessedByLayers(
            "encode", "train", "jobs", "gallery", "api", "cli", "metrics", "config")
        .whereLayer("config")
        .mayNotBeAccessedByAnyLayer()
        .withOptionalLayers(true)
        .check(pipit);
  }

  @Test
  void indexDependsOnTheJdkOnly() {
    classes()
        .that()
        .resideInAPackage("dev.pipit.index..")
        .should()
        .onlyDependOnClassesThat()
        .resideInAnyPackage(
            "dev.pipit.index..",
            "java..",
            "javax.annotation..",
            "jdk.incubator.vector..",
            "org.slf4j..")
        .allowEmptyShould(true)
        .check(pipit);
  }

  @Test
  void modelDependsOnDjlOnly() {
    classes()
        .that()
        .resideInAPackage("dev.pipit.model..")
        .should()
        .onlyDependOnClassesThat()
        .resideInAnyPackage(
            "dev.pipit.model..", "java..", "ai.djl..", "com.google.gson..", "org.slf4j..")
        .allowEmptyShould(true)
        .check(pipit);
  }
}
