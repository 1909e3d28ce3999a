/** Benchmarks: JMH kernels and the end-to-end pipeline harness. */
package atelier.bench;
