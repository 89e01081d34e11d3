#include <oneapi/dnnl/dnnl.h>
/* libgomp, which oneDNN's Debian build runs on: onnxgrad keeps GEMMs on one thread each. */
void omp_set_num_threads(int num_threads);
int omp_get_max_threads(void);
