/* techidx: the technology trading index engine. Umbrella header.
 * Data flows source -> reader (CSV) -> record -> cube -> index -> write. */
#ifndef TECHIDX_H
#define TECHIDX_H

#include "techidx/base.h"
#include "techidx/budget.h"
#include "techidx/cube.h"
#include "techidx/engine.h"
#include "techidx/group.h"
#include "techidx/idset.h"
#include "techidx/index.h"
#include "techidx/options.h"
#include "techidx/parts.h"
#include "techidx/period.h"
#include "techidx/reader.h"
#include "techidx/record.h"
#include "techidx/source.h"
#include "techidx/status.h"
#include "techidx/tic.h"
#include "techidx/version.h"
#include "techidx/write.h"
#include "techidx/yoy.h"

#endif
