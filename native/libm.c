/*
 * libm: the C library's sin, cos and asin, for the GEO commands' distances and search boxes
 * (src/core/geo/trig.ts). V8's Math.sin, Math.cos and Math.asin (fdlibm) differ from glibc's in the last bit for
 * a few inputs in a hundred, and GEOSEARCHSTORE ... STOREDIST stores a distance with all its 17 digits: only the
 * same libm as redis-server's gives the same bits. Knows nothing of geometry: one double in, one double out.
 */
#define NAPI_VERSION 8
#include <node_api.h>

#include <math.h>

#include "libm.h"

/* The one double argument of a call, or NaN when it is missing or not a number (the caller passes numbers). */
static double argument(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  size_t argc = 1;
  double x = NAN;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1) return NAN;
  if (napi_get_value_double(env, argv[0], &x) != napi_ok) return NAN;
  return x;
}

static napi_value result(napi_env env, double y) {
  napi_value out;
  return napi_create_double(env, y, &out) == napi_ok ? out : NULL;
}

static napi_value Sin(napi_env env, napi_callback_info info) { return result(env, sin(argument(env, info))); }
static napi_value Cos(napi_env env, napi_callback_info info) { return result(env, cos(argument(env, info))); }
static napi_value Asin(napi_env env, napi_callback_info info) { return result(env, asin(argument(env, info))); }

int register_libm(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"sin", NULL, Sin, NULL, NULL, NULL, napi_enumerable, NULL},
      {"cos", NULL, Cos, NULL, NULL, NULL, napi_enumerable, NULL},
      {"asin", NULL, Asin, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  return napi_define_properties(env, exports, sizeof props / sizeof props[0], props) == napi_ok;
}
