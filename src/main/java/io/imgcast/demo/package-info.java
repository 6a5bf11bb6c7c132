/** The self-contained demo: sample images, a namespace lab, a server and several receivers. */
package io.imgcast.demo;
