/**
 * The command line: {@code pipit train}, {@code pipit eval} and {@code pipit serve}, with console
 * progress. An entry point like {@code api}: may depend on {@code train}, {@code encode}, {@code
 * model} and {@code index}; nothing depends on it.
 */
package dev.pipit.cli;
