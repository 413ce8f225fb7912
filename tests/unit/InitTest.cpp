// InitTest.cpp - being written
#include <gtest/gtest.h>
