#include "tracer/tracer.h"
