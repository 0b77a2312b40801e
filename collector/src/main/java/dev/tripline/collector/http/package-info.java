/**
 * The analyst's HTTP port on Jetty: console, REST API (route table in {@code Routes}/{@code
 * ApiRoutes}, JSON with Jackson), {@code /metrics} and {@code /health}; authentication, throttled
 * logins and the bounds on bodies, headers, connections and time. Talks to detection only through
 * {@code api}.
 */
package dev.tripline.collector.http;
