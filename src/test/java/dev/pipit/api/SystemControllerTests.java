package dev.pipit.api;

import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import ai.djl.Device;
import dev.pipit.encode.LoadedModel;
import dev.pipit.gallery.ActiveModel;
import dev.pipit.gallery.ModelRef;
import dev.pipit.gallery.ServingModel;
import dev.pipit.model.DevicePreference;
import dev.pipit.model.EngineDevice;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.MockMvc;

// A controller slice: Spring Boot's default security would guard it; the real rules and their
// tests live in dev.pipit.security.
@WebMvcTest(SystemController.class)
@AutoConfigureMockMvc(addFilters = false)
@Import(SystemControllerTests.FallbackEngine.class)
class SystemControllerTests {

  @Autowired MockMvc mvc;
  @MockitoBean ActiveModel active;

  @Test
  void reportsTheEngineAndAFallbackToTheCpu() throws Exception {
    mvc.perform(get("/v1/system"))
        .andExpect(status().isOk())
        .andExpect(jsonPath("$.engine.name").value("PyTorch"))
        .andExpect(jsonPath("$.engine.device").value("cpu"))
        .andExpect(jsonPath("$.engine.requested").value("cuda"))
        .andExpect(jsonPath("$.engine.fallback").value(true))
        .andExpect(jsonPath("$.cpus").isNumber())
        .andExpect(jsonPath("$.serving").doesNotExist());
  }

  @Test
  void namesTheServingModelAndItsPath() throws Exception {
    ServingModel serving = mock(ServingModel.class);
    LoadedModel loaded = mock(LoadedModel.class);
    when(serving.ref()).thenReturn(new ModelRef("agmh-fmnist-48", "agmh", 48, "fp"));
    when(serving.model()).thenReturn(loaded);
    when(loaded.servingPath()).thenReturn("compiled");
    when(active.current()).thenReturn(Optional.of(serving));
    mvc.perform(get("/v1/system"))
        .andExpect(status().isOk())
        .andExpect(jsonPath("$.serving.model").value("agmh-fmnist-48"))
        .andExpect(jsonPath("$.serving.path").value("compiled"));
  }

  @Test
  void unknownPathsAnswerWithAProblem() throws Exception {
    mvc.perform(get("/v1/nope"))
        .andExpect(status().isNotFound())
        .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
        .andExpect(jsonPath("$.status").value(404));
  }

  @TestConfiguration
  static class FallbackEngine {
    @Bean
    EngineDevice engineDevice() {
      return new EngineDevice(Device.cpu(), DevicePreference.CUDA, true, "PyTorch", "2.0.1", 0);
    }
  }
}
