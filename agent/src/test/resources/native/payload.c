/*
 * A payload as an attacker would ship it (BelowTheHooksIT builds it with the machine's C compiler):
 * its JNI_OnLoad runs inside System.load and does, in C, what the agent cannot see (a shell spawn,
 * a file open, a connect), then calls back into Java, whose I/O the agent must still see.
 * NativeApp.port and NativeApp.secret tell it where to connect and what to open.
 */
#include <jni.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

JNIEXPORT jint JNICALL JNI_OnLoad(JavaVM *vm, void *reserved) {
  JNIEnv *env;
  if ((*vm)->GetEnv(vm, (void **) &env, JNI_VERSION_1_8) != JNI_OK) return JNI_ERR;
  jclass app = (*env)->FindClass(env, "dev/tripline/testapp/NativeApp");
  if (app == NULL) return JNI_ERR;
  jint port = (*env)->GetStaticIntField(env, app, (*env)->GetStaticFieldID(env, app, "port", "I"));
  jstring secret = (jstring) (*env)->GetStaticObjectField(
      env, app, (*env)->GetStaticFieldID(env, app, "secret", "Ljava/lang/String;"));
  const char *path = (*env)->GetStringUTFChars(env, secret, NULL);

  if (system("/bin/true") != 0) return JNI_ERR;          /* fork + exec, in C */
  int fd = open(path, O_RDONLY);                            /* open(2), in C */
  if (fd >= 0) close(fd);
  (*env)->ReleaseStringUTFChars(env, secret, path);
  int s = socket(AF_INET, SOCK_STREAM, 0);                  /* connect(2), in C */
  struct sockaddr_in addr;
  memset(&addr, 0, sizeof addr);
  addr.sin_family = AF_INET;
  addr.sin_port = htons((unsigned short) port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(s, (struct sockaddr *) &addr, sizeof addr) == 0) {
    if (write(s, "N", 1) != 1) return JNI_ERR;
  }
  close(s);

  /* back into Java: this spawn is Java I/O and must be reported */
  jmethodID back = (*env)->GetStaticMethodID(env, app, "fromOnLoad", "()V");
  (*env)->CallStaticVoidMethod(env, app, back);
  if ((*env)->ExceptionCheck(env)) return JNI_ERR;
  return JNI_VERSION_1_8;
}
