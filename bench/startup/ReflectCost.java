import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * The cold cost of one cross-class call by each route, in a fresh JVM (docs/benchmarks.md, "Start-up
 * without core reflection on premain's path"): on JDK 18+ core reflection runs on method handles,
 * and each call shape's first run spins classes.
 *
 * <pre>
 * javac -d /tmp/rc bench/startup/ReflectCost.java
 * for v in none refl5 refl1 mh5 mh1 ctor iface; do java -cp /tmp/rc ReflectCost $v; done
 * </pre>
 */
public class ReflectCost {
  public static void five(Object a, String b, long c, long d, long e) {}

  public static void one(Object[] a) {}

  public static void main(String[] x) throws Throwable {
    long t0 = System.nanoTime();
    switch (x[0]) {
      case "refl5":
        ReflectCost.class
            .getMethod("five", Object.class, String.class, long.class, long.class, long.class)
            .invoke(null, "a", "b", 1L, 2L, 3L);
        break;
      case "refl1":
        ReflectCost.class.getMethod("one", Object[].class).invoke(null, (Object) new Object[] {"a"});
        break;
      case "mh5":
        {
          MethodHandle h =
              MethodHandles.publicLookup()
                  .findStatic(
                      ReflectCost.class,
                      "five",
                      MethodType.methodType(
                          void.class, Object.class, String.class, long.class, long.class, long.class));
          h.invokeExact((Object) "a", "b", 1L, 2L, 3L);
          break;
        }
      case "mh1":
        {
          MethodHandle h =
              MethodHandles.publicLookup()
                  .findStatic(
                      ReflectCost.class, "one", MethodType.methodType(void.class, Object[].class));
          h.invokeExact(new Object[] {"a"});
          break;
        }
      case "ctor":
        Class.forName("ReflectCost$C").getDeclaredConstructor().newInstance();
        break;
      case "iface":
        Runnable r = new C();
        r.run();
        break;
      default:
        break;
    }
    System.out.println(x[0] + " " + (System.nanoTime() - t0) / 1000 + " us");
  }

  public static class C implements Runnable {
    public C() {}

    @Override
    public void run() {}
  }
}
