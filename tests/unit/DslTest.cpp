// DslTest.cpp - being written
#include <gtest/gtest.h>
