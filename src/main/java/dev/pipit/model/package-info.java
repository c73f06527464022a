/**
 * Networks as DJL blocks (ResNet-50, AGMH, FCAENet), weight importers, model artifacts and the
 * engine device. Depends on DJL (and the JDK) only.
 */
package dev.pipit.model;
