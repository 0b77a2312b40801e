package dev.tripline.itspring;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.web.embedded.netty.NettyReactiveWebServerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Run reactive ({@code --spring.main.web-application-type=reactive}) with Tomcat on the class path,
 * Spring Boot serves WebFlux on Tomcat; {@code --app.reactive-server=netty} serves it on Reactor
 * Netty instead, as a WebFlux-only application does (the auto-configured server backs off).
 */
@Configuration
@ConditionalOnProperty(name = "app.reactive-server", havingValue = "netty")
public class ReactiveNettyServer {
  @Bean
  NettyReactiveWebServerFactory nettyReactiveWebServerFactory() {
    return new NettyReactiveWebServerFactory();
  }
}
