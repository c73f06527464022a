package dev.pipit.security;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Records every controller method a request reached, so that a test can tell "the handler ran" from
 * "something answered": the proof that a request was (or was not) let through.
 */
@TestConfiguration
class HandlerRecorder implements WebMvcConfigurer {

  final List<String> reached = new CopyOnWriteArrayList<>();

  @Override
  public void addInterceptors(InterceptorRegistry registry) {
    registry.addInterceptor(
        new HandlerInterceptor() {
          @Override
          public boolean preHandle(
              HttpServletRequest request, HttpServletResponse response, Object handler) {
            if (handler instanceof HandlerMethod method) {
              reached.add(
                  method.getBeanType().getSimpleName() + "." + method.getMethod().getName());
            }
            return true;
          }
        });
  }
}
