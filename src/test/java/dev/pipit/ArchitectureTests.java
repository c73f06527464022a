package dev.pipit;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noFields;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import dev.pipit.gallery.GalleryItems;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Holds the package rules of docs/architecture.md on the production classes: the top-level packages
 * form no cycle; each layer uses only the layers below it in the picture (strictly: every layer is
 * named, and what each may use is listed); only {@code config} touches {@code security}; {@code
 * index} needs the JDK and slf4j only, {@code model} DJL, Gson and slf4j only; one logging API
 * (slf4j); and Spring injects through constructors, never into fields.
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
  void topLevelPackagesFormNoCycle() {
    slices().matching("dev.pipit.(*)..").should().beFreeOfCycles().check(pipit);
  }

  @Test
  void layersDependInOneDirection() {
    layeredArchitecture()
        .consideringOnlyDependenciesInLayers()
        .layer("application")
        .definedBy("dev.pipit")
        .layer("cli")
        .definedBy("dev.pipit.cli..")
        .layer("config")
        .definedBy("dev.pipit.config..")
        .layer("api")
        .definedBy("dev.pipit.api..")
        .layer("metrics")
        .definedBy("dev.pipit.metrics..")
        .layer("cluster")
        .definedBy("dev.pipit.cluster..")
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
        .whereLayer("application")
        .mayNotBeAccessedByAnyLayer()
        .whereLayer("application")
        .mayOnlyAccessLayers("cli", "config", "model")
        .whereLayer("cli")
        .mayOnlyBeAccessedByLayers("application")
        .whereLayer("cli")
        .mayOnlyAccessLayers("gallery", "train", "encode", "model", "index")
        .whereLayer("config")
        .mayOnlyBeAccessedByLayers("application")
        .whereLayer("config")
        .mayOnlyAccessLayers(
            "api", "metrics", "cluster", "jobs", "gallery", "train", "encode", "model", "index")
        .whereLayer("api")
        .mayOnlyAccessLayers("cluster", "jobs", "gallery", "encode", "model", "index")
        .whereLayer("metrics")
        .mayOnlyAccessLayers("cluster", "jobs", "gallery", "encode", "model", "index")
        .whereLayer("cluster")
        .mayOnlyBeAccessedByLayers("config", "api", "metrics")
        .whereLayer("cluster")
        .mayOnlyAccessLayers("gallery", "encode", "model", "index")
        .whereLayer("jobs")
        .mayOnlyAccessLayers("gallery", "train", "encode", "model")
        .whereLayer("gallery")
        .mayOnlyAccessLayers("encode", "model", "index")
        .whereLayer("train")
        .mayOnlyAccessLayers("encode", "model", "index")
        .whereLayer("encode")
        .mayOnlyAccessLayers("model", "index")
        .whereLayer("model")
        .mayNotAccessAnyLayer()
        .whereLayer("index")
        .mayNotAccessAnyLayer()
        .check(pipit);
  }

  // Not a layer of the test above: the package may not exist yet, and a layer must hold classes.
  @Test
  void onlyConfigTouchesSecurityAndSecurityUsesNothingButConfig() {
    noClasses()
        .that()
        .resideOutsideOfPackages("dev.pipit.config..", "dev.pipit.security..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.pipit.security..")
        .allowEmptyShould(true)
        .check(pipit);
    classes()
        .that()
        .resideInAPackage("dev.pipit.security..")
        .should()
        .onlyDependOnClassesThat(
            resideOutsideOfPackage("dev.pipit..")
                .or(resideInAnyPackage("dev.pipit.security..", "dev.pipit.config..")))
        .allowEmptyShould(true)
        .check(pipit);
  }

  @Test
  void onlyTheClusterNodeTalksToPostgres() {
    noClasses()
        .that()
        .resideOutsideOfPackage("dev.pipit.cluster.node..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("org.postgresql..", "com.zaxxer.hikari..", "java.sql..", "javax.sql..")
        .check(pipit);
  }

  /**
   * The HTTP API writes the gallery through the {@code GalleryWrites} seam only: a controller
   * calling {@code GalleryItems.index/delete} itself would, on a cluster node, write the replica
   * behind PostgreSQL's back (and never into the change log the other replicas tail).
   */
  @Test
  void theApiWritesTheGalleryThroughTheGalleryWritesSeam() {
    noClasses()
        .that()
        .resideInAPackage("dev.pipit.api..")
        .should()
        .callMethodWhere(
            DescribedPredicate.describe(
                "GalleryItems.index or GalleryItems.delete",
                (JavaMethodCall call) ->
                    call.getTargetOwner().isAssignableTo(GalleryItems.class)
                        && (call.getName().equals("index") || call.getName().equals("delete"))))
        .check(pipit);
  }

  @Test
  void indexDependsOnTheJdkAndSlf4jOnly() {
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
        .check(pipit);
  }

  @Test
  void oneLoggingApiSlf4j() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAPackage("java.util.logging..")
        .orShould()
        .dependOnClassesThat()
        .belongToAnyOf(System.Logger.class, System.Logger.Level.class, System.LoggerFinder.class)
        .check(pipit);
  }

  @Test
  void springInjectsThroughConstructorsNotFields() {
    noFields()
        .should()
        .beAnnotatedWith("org.springframework.beans.factory.annotation.Autowired")
        .orShould()
        .beAnnotatedWith("jakarta.inject.Inject")
        .check(pipit);
  }
}
